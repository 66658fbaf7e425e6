// The tracking page's enhancements: a button that copies the permalink (whole URL) to the
// clipboard, and the browser's time zone filled into the form's empty zone field, so that the next
// answer shows times where the visitor is. The page works without them; the button stays hidden
// where the clipboard cannot be used.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var zone = document.getElementById("tz");
  if (!zone || zone.value || !window.Intl) return;
  try {
    var browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browser) zone.value = browser;
  } catch (ignored) {}
});
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard || !window.isSecureContext) return;
  document.querySelectorAll(".share").forEach(function (share) {
    var link = share.querySelector("a.permalink");
    var button = share.querySelector("button.copy");
    if (!link || !button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(link.href).then(function () {
        button.textContent = button.dataset.copied;
      });
    });
  });
});
