// Helpers of the browser tests: launch Debian's chromium through
// playwright-core, open pages that record script errors, CSP violations and
// failed loads, save screenshots under e2e/screenshots/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const shots = fileURLToPath(new URL("../screenshots/", import.meta.url));

// Launch flags that work on this closed network (see DEPS.md).
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launch(t) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: FLAGS,
  });
  t.after(() => browser.close());
  return browser;
}

// shot saves a screenshot of the page (the viewport unless full).
export async function shot(page, name, full = true) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}${name}.png`, fullPage: full });
}

// newPage opens a page in a new browser context (a browser of its own)
// that records script errors and CSP violations; check() fails the test
// if there were any, or any failed load but those in allowed (regexps).
export async function newPage(browser, ctxOpts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...ctxOpts });
  const page = await ctx.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return {
    ctx, page,
    check: (allowed = []) => assert.deepEqual(problems.filter((p) => !allowed.some((re) => re.test(p))), [], "the page had errors"),
  };
}

// api calls the app's API from inside the page, with the page's key, as
// app.js does; {key: false} leaves the key out.
export async function api(page, path, { method = "GET", body, key = true } = {}) {
  return page.evaluate(async ({ path, method, body, key }) => {
    const headers = { Accept: "application/json" };
    if (key) headers["X-Hfgate-Key"] = localStorage.getItem("hfgate-key");
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text };
  }, { path, method, body, key });
}

// connect clicks a "Connect Hugging Face" button (testid) and answers the
// consent page as user.
export async function connect(page, hub, user, decision, testid = "connect") {
  await page.getByTestId(testid).click();
  await page.waitForURL((u) => u.href.startsWith(hub), { timeout: 15000 });
  await page.locator(`input[name=user][value=${user}]`).check();
  await page.locator(`button[name=decision][value=${decision}]`).click();
}

// faults sets (rules) or clears (no rules) hubsim's faults.
export async function faults(hub, rules) {
  const r = await fetch(`${hub}/_hubsim/faults`, rules ? { method: "PUT", body: JSON.stringify(rules) } : { method: "DELETE" });
  assert.equal(r.status, 200, `hubsim faults: ${await r.text()}`);
}
