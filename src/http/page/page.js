// The tracking page's one enhancement: a button that copies the permalink (whole URL) to the
// clipboard. The page works without it; the button stays hidden where the clipboard cannot be used.
"use strict";
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
