// The tracking page in headless Chromium, as a visitor uses it: type a number and see the timeline,
// pick a courier when asked, give the phone's last 4 digits for SF Express, switch to English, read
// an error line for a bad number, and all of it again with JavaScript off. Every request the browser
// makes is recorded, and all of them must go to the page's own origin; console errors (a blocked
// resource, a Content-Security-Policy violation) fail the test too. Screenshots go to SCREENSHOT_DIR.
//
// Started by tests/page_browser.rs, which serves the page in sandbox mode and passes, in the
// environment: BASE_URL (http://127.0.0.1:PORT), CHROMIUM (the browser's path), SCREENSHOT_DIR,
// PROFILE_DIR (a fresh directory for the browser profiles) and README_SCREENSHOT (where the README's
// picture goes, optional). Prints one line per step and exits non-zero on the first failure.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const base = env("BASE_URL");
const origin = new URL(base).origin;
const screenshots = env("SCREENSHOT_DIR");
const profiles = env("PROFILE_DIR");
mkdirSync(screenshots, { recursive: true });

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--no-default-browser-check",
];
const YTO = "YT9693083639799";
const UNDECIDED = "431234567890123";
const SF = "SF1234567890123";

const requests = [];
const problems = [];

function check(condition, what) {
  if (!condition) throw new Error(`failed: ${what}`);
  console.log(`ok: ${what}`);
}

/** A fresh browser profile in `locale`, with or without JavaScript, recording what it asks for. */
// The visitor's time zone matters: the page fills its zone field from the browser's. Every scenario
// is a visitor in China (Asia/Shanghai, shown as Beijing time) unless it says otherwise.
async function browser(name, { locale, javaScriptEnabled = true, timezoneId = "Asia/Shanghai" }) {
  const context = await chromium.launchPersistentContext(join(profiles, name), {
    executablePath: env("CHROMIUM"),
    headless: true,
    args: CHROMIUM_ARGS,
    locale,
    timezoneId,
    javaScriptEnabled,
    viewport: { width: 412, height: 915 },
    deviceScaleFactor: 1,
    timeout: 30_000,
  });
  context.setDefaultTimeout(10_000);
  context.on("request", (request) => requests.push(request.url()));
  context.on("console", (message) => {
    if (message.type() === "error") problems.push(`${name}: console error: ${message.text()}`);
  });
  context.on("weberror", (error) => problems.push(`${name}: page error: ${error.error().message}`));
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

async function shot(page, file) {
  await page.screenshot({ path: join(screenshots, file), fullPage: true });
}

/** Does `action` (a click, a key) and waits until the page it navigates to has loaded. */
async function navigating(page, action) {
  const navigation = page.waitForResponse((response) => response.request().isNavigationRequest());
  await action();
  await navigation;
  await page.waitForLoadState("load");
}

/** Types `number` in the field labelled `label`, empties the courier field (it keeps the courier of
 * the question before, as a search form does), and submits with Enter. */
async function ask(page, number, label) {
  await page.locator("#courier").fill("");
  const field = page.getByLabel(label, { exact: true });
  await field.fill(number);
  // The keyboard submits the form: Enter in the field.
  await navigating(page, () => field.press("Enter"));
}

async function chinese() {
  const { context, page } = await browser("zh", { locale: "zh-CN" });
  await page.goto(`${base}/`);
  check((await page.getAttribute("html", "lang")) === "zh-CN", "Accept-Language zh-CN gives the Chinese page");
  check(await page.locator(".sandbox").isVisible(), "the sandbox banner is shown");

  await ask(page, YTO, "快递单号");
  const lines = page.locator(".timeline li");
  await lines.first().waitFor();
  check((await lines.count()) >= 5, `a number shows its timeline (${await lines.count()} lines)`);
  check(await page.locator(".badge").isVisible(), "with its state badge");
  check((await lines.first().textContent()).includes("北京时间"), "times say they are Beijing time");
  const times = await page.locator(".timeline time").evaluateAll((nodes) => nodes.map((n) => n.dateTime));
  check(times.every((t, i) => i === 0 || times[i - 1] >= t), "newest first");
  const permalink = await page.locator("a.permalink").getAttribute("href");
  check(permalink === `/?number=${YTO}&courier=yuantong`, `the permalink is ${permalink}`);
  await shot(page, "01-timeline-zh.png");

  await ask(page, UNDECIDED, "快递单号");
  const picks = page.locator(".choose a");
  check((await picks.count()) >= 2, `detection leaves couriers to pick (${await picks.count()})`);
  await shot(page, "02-choose-courier.png");
  await navigating(page, () => page.locator(".choose a", { hasText: "yunda" }).click());
  check(page.url().includes("courier=yunda"), "the pick is a link to the page with the courier");
  await page.locator(".timeline li").first().waitFor();
  check(true, "picking Yunda shows its timeline");
  await shot(page, "03-courier-picked.png");

  await ask(page, SF, "快递单号");
  const phone = page.getByLabel("手机号后 4 位", { exact: true });
  await phone.waitFor();
  check(await phone.isVisible(), "SF Express asks for the phone's last 4 digits");
  check((await page.locator(".timeline li").count()) === 0, "and shows no trajectory without them");
  await shot(page, "04-phone-prompt.png");
  await phone.fill("0917");
  await navigating(page, () => phone.press("Enter"));
  await page.locator(".timeline li").first().waitFor();
  check(!page.url().includes("0917") && !page.url().includes("phone"), `the phone is not in the URL (${page.url()})`);
  const hrefs = await page.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  check(hrefs.every((href) => !href.includes("0917") && !href.includes("phone")), "nor in any link");
  await shot(page, "05-phone-timeline.png");

  await navigating(page, () => page.locator("a.switch").click());
  check((await page.getAttribute("html", "lang")) === "en", "the switch link gives the English page");
  check((await page.locator("h1").textContent()).includes("Parcel tracking"), "in English");
  await shot(page, "06-english.png");

  await ask(page, "abc", "Tracking number");
  const error = page.locator(".error[role=alert]");
  check((await error.textContent()).includes("at least 6"), "a bad number gets an error line");
  check(page.url().includes("lang=en"), "and the page stays in English");
  await shot(page, "07-error.png");
  await context.close();
}

/** The README's picture: an English page of a parcel out for delivery (last digit 8), top part. */
async function readmePicture(path) {
  const { context, page } = await browser("readme", { locale: "en-US" });
  await page.goto(`${base}/?number=YT9693083639798&courier=yuantong`);
  await page.locator(".timeline li").first().waitFor();
  await page.screenshot({ path, fullPage: true, clip: { x: 0, y: 0, width: 412, height: 1240 } });
  check(true, `the README's picture is ${path}`);
  await context.close();
}

async function withoutJavaScript() {
  const { context, page } = await browser("nojs", { locale: "en-US", javaScriptEnabled: false });
  await page.goto(`${base}/`);
  check((await page.getAttribute("html", "lang")) === "en", "Accept-Language en-US gives the English page");
  await ask(page, YTO, "Tracking number");
  await page.locator(".timeline li").first().waitFor();
  check(true, "without JavaScript the form still shows the timeline");
  check(await page.locator("button.copy").isHidden(), "the copy button (an enhancement) stays hidden");
  await shot(page, "08-no-javascript.png");
  await context.close();
}

try {
  await chinese();
  await withoutJavaScript();
  if (process.env.README_SCREENSHOT) await readmePicture(process.env.README_SCREENSHOT);
  const elsewhere = requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith("data:"));
  check(requests.length > 0 && elsewhere.length === 0, `all ${requests.length} requests went to ${origin}`);
  check(problems.length === 0, `no console or page errors${problems.length ? ": " + problems.join("; ") : ""}`);
  console.log(`screenshots in ${screenshots}`);
} catch (error) {
  console.error(error.message);
  const elsewhere = requests.filter((url) => !url.startsWith(`${origin}/`));
  if (elsewhere.length) console.error(`requests to other hosts: ${elsewhere.join(", ")}`);
  if (problems.length) console.error(problems.join("\n"));
  process.exit(1);
}
