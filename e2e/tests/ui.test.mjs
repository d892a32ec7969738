// The web app in a real browser: `hfgate demo` (hubsim + the app) driven by
// Debian's chromium through playwright-core. Each step saves a screenshot
// under e2e/screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { bin, tempHome, isolatedEnv, startJSON } from "./lib.mjs";

const shots = fileURLToPath(new URL("../screenshots/", import.meta.url));
const GATED = "meta-llama/Llama-3.2-1B-Instruct";
const TINY = "hubsim/tiny-llama-GGUF";
const TINY_FILE = "tiny-llama-Q2_K.gguf";

// Launch flags that work on this closed network (see DEPS.md).
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function launch(t) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: FLAGS,
  });
  t.after(() => browser.close());
  return browser;
}

async function shot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
}

// newPage opens a page that records script errors and CSP violations;
// check() fails the test if there were any, a failed load (avatars too)
// among them.
async function newPage(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await ctx.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    // Failed loads are judged by URL below; everything else (CSP) counts.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return {
    ctx, page,
    check: () => assert.deepEqual(problems, [], "the page had errors"),
  };
}

// session reads /auth/session from inside the page, with its cookies.
async function session(page) {
  const text = await page.evaluate(async () => (await fetch("/auth/session")).text());
  return { json: JSON.parse(text), text };
}

// connect clicks "Connect Hugging Face" and answers the consent page.
async function connect(page, hub, user, decision) {
  await page.getByTestId("connect").click();
  await page.waitForURL((u) => u.href.startsWith(hub), { timeout: 15000 });
  await page.locator(`input[name=user][value=${user}]`).check();
  await shot(page, `consent-${user}-${decision}`);
  await page.locator(`button[name=decision][value=${decision}]`).click();
}

test("web app: sign in, search, download, sign out; gated as bob; denied consent", async (t) => {
  const home = tempHome(t);
  const env = isolatedEnv(home);
  const { info } = await startJSON(t, ["demo", "--no-open", "--json"], env);
  const { url, hub, cache } = info;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(cache.startsWith(home), `demo cache ${cache} is not under the test's home`);
  const browser = await launch(t);

  await t.test("connect as alice on the consent page", async () => {
    const { ctx, page, check } = await newPage(browser);
    await page.goto(url);
    await page.getByTestId("model-card").first().waitFor();
    await shot(page, "01-home");
    await connect(page, hub, "alice", "approve");
    await page.getByTestId("user-name").waitFor();
    assert.equal(new URL(page.url()).origin, new URL(url).origin);
    assert.equal(await page.getByTestId("user-name").textContent(), "Alice Martin");
    // The Hub's avatar image itself, loaded: not the initial shown when it fails.
    const avatar = page.getByTestId("avatar");
    assert.ok(await avatar.isVisible());
    await page.waitForFunction(() => {
      const e = document.querySelector("[data-testid=avatar]");
      return e && (e.tagName !== "IMG" || e.complete);
    });
    const img = await avatar.evaluate((e) => ({ tag: e.tagName, src: e.src, width: e.naturalWidth }));
    assert.equal(img.tag, "IMG", "the avatar fell back to the initial");
    assert.ok(img.src.startsWith(hub + "/avatars/"), `avatar from ${img.src}`);
    assert.ok(img.width > 0, "the avatar image did not load");
    const s = await session(page);
    assert.equal(s.json.signed_in, true);
    assert.equal(s.json.username, "alice");
    assert.doesNotMatch(s.text, /hf_/, "the session JSON must not hold a token");
    const cookies = await ctx.cookies();
    for (const c of cookies) assert.doesNotMatch(c.value, /^hf_/, `cookie ${c.name} holds a token`);
    const sc = cookies.find((c) => c.name === "hfgate_session");
    assert.ok(sc && sc.httpOnly && sc.sameSite === "Lax", "session cookie must be HttpOnly and SameSite=Lax");
    // Coding models recommended for this machine, each with a download button.
    await page.getByTestId("recommendation").first().waitFor({ timeout: 30000 });
    assert.ok(await page.getByTestId("recommendation-download").first().isVisible());
    await shot(page, "02-signed-in");

    // Search "coder" with GGUF only.
    await page.getByTestId("search-input").fill("coder");
    await page.getByTestId("gguf-only").check();
    await page.getByTestId("search-button").click();
    await page.waitForURL(/[?&]gguf=1/);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=model-card]").length > 0 &&
      !document.querySelector("#results[aria-busy]"));
    const ids = await page.getByTestId("model-card").evaluateAll((els) => els.map((e) => e.dataset.id));
    assert.ok(ids.length >= 3, `search found ${ids}`);
    for (const id of ids) assert.match(id.toLowerCase(), /coder/);
    const tags = await page.getByTestId("model-card").evaluateAll((els) => els.map((e) => e.textContent));
    for (const text of tags) assert.match(text, /gguf/i);
    await shot(page, "03-search-coder-gguf");

    // Open the first model: files with fit badges.
    await page.getByTestId("model-card").first().locator("a").click();
    await page.getByTestId("files").waitFor();
    const badges = await page.getByTestId("fit-badge").evaluateAll((els) => els.map((e) => e.dataset.fits));
    assert.ok(badges.includes("yes") || badges.includes("no"), `no fit verdicts: ${badges}`);
    await shot(page, "04-model");

    // alice has a private model: shown with a badge, to her only.
    await page.goto(`${url}models/alice/coder-lora-experiments`);
    await page.getByTestId("private-badge").waitFor();
    await shot(page, "04b-private");

    // Download a small GGUF file from the tiny model. It is judged; files
    // that are not models (README.md) get a dash, not an "Unknown" badge.
    await page.goto(`${url}models/${TINY}`);
    const row = page.locator(`[data-testid=file-row][data-path="${TINY_FILE}"]`);
    assert.equal(await row.getByTestId("fit-badge").getAttribute("data-fits"), "yes");
    const readme = page.locator(`[data-testid=file-row][data-path="README.md"]`);
    assert.equal(await readme.getByTestId("fit-badge").count(), 0, "README.md has a fit badge");
    assert.ok(await readme.getByTestId("no-fit").isVisible());
    await row.getByTestId("download-button").click();
    const dl = page.locator(`[data-testid=download][data-file="${TINY_FILE}"]`);
    await dl.and(page.locator("[data-state=done]")).waitFor({ timeout: 60000 });
    assert.equal(await dl.getByTestId("download-percent").textContent(), "100%");
    const localPath = await dl.getByTestId("download-path").textContent();
    await shot(page, "05-downloaded");

    // The file is in the demo cache and its bytes match the Hub's SHA-256.
    assert.ok(localPath.startsWith(cache), `${localPath} is not in the demo cache ${cache}`);
    const info = await (await fetch(`${hub}/api/models/${TINY}?blobs=true`)).json();
    const sib = info.siblings.find((s) => s.rfilename === TINY_FILE);
    const sum = createHash("sha256").update(readFileSync(localPath)).digest("hex");
    assert.equal(sum, sib.lfs.sha256);
    assert.ok(realpathSync(localPath).endsWith(`/blobs/${sib.lfs.sha256}`));
    const verify = spawnSync(bin, ["cache", "verify", TINY], { env: { ...env, HF_HUB_CACHE: cache }, encoding: "utf8" });
    assert.equal(verify.status, 0, `hfgate cache verify: ${verify.stdout}${verify.stderr}`);

    // Sign out.
    await page.getByTestId("sign-out").click();
    await page.getByTestId("connect").waitFor();
    assert.equal((await session(page)).json.signed_in, false);
    await shot(page, "06-signed-out");

    // The same page at phone width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${url}models/${TINY}`);
    await page.getByTestId("files").waitFor();
    await shot(page, "07-narrow");
    check();
    await ctx.close();
  });

  await t.test("cancel a slow download and resume it", async () => {
    const { ctx, page, check } = await newPage(browser);
    const FILE = "tiny-llama-Q8_0.gguf";
    const faults = (method, body) => fetch(`${hub}/_hubsim/faults`, { method, body: body && JSON.stringify(body) });
    assert.equal((await faults("PUT", [{ host: "cdn", bandwidthPerConn: 400000 }])).status, 200);
    await page.goto(`${url}models/${TINY}`);
    await page.locator(`[data-testid=file-row][data-path="${FILE}"]`).getByTestId("download-button").click();
    const dl = page.locator(`[data-testid=download][data-file="${FILE}"]`);
    await page.waitForFunction((f) => {
      const e = document.querySelector(`[data-testid=download][data-file="${f}"]`);
      return e && e.dataset.state === "running" && parseInt(e.querySelector("[data-testid=download-percent]").textContent) >= 10 &&
        / left/.test(e.textContent);
    }, FILE, { timeout: 30000 });
    await shot(page, "06a-downloading");
    await dl.getByTestId("download-cancel").click();
    await dl.and(page.locator("[data-state=canceled]")).waitFor();
    const kept = parseInt(await dl.getByTestId("download-percent").textContent());
    assert.ok(kept > 0 && kept < 100, `canceled at ${kept}%`);
    await shot(page, "06b-canceled");
    await faults("DELETE");
    await dl.getByTestId("download-resume").click();
    await dl.and(page.locator("[data-state=done]")).waitFor({ timeout: 60000 });
    assert.equal(await dl.getByTestId("download-percent").textContent(), "100%");
    await page.goto(`${url}downloads`);
    await page.locator(`[data-testid=download][data-file="${FILE}"][data-state=done]`).waitFor();
    await shot(page, "06c-downloads-page");
    const verify = spawnSync(bin, ["cache", "verify", TINY], { env: { ...env, HF_HUB_CACHE: cache }, encoding: "utf8" });
    assert.equal(verify.status, 0, `hfgate cache verify: ${verify.stdout}${verify.stderr}`);
    check();
    await ctx.close();
  });

  await t.test("the gated repo as bob asks to request access", async () => {
    const { ctx, page, check } = await newPage(browser);
    await page.goto(`${url}models/${GATED}`);
    await page.getByTestId("gated-notice").waitFor();
    await connect(page, hub, "bob", "approve");
    await page.getByTestId("user-name").waitFor();
    assert.equal(new URL(page.url()).pathname, `/models/${GATED}`, "sign-in did not return to the model page");
    const notice = page.getByTestId("gated-notice");
    await notice.waitFor();
    assert.match(await notice.textContent(), /must grant your account access/);
    assert.equal(await page.getByTestId("request-access").getAttribute("href"), `${hub}/${GATED}`);
    // A download he may not make fails in plain words.
    await page.locator(`[data-testid=file-row][data-path="config.json"]`).getByTestId("download-button").click();
    const failed = page.locator(`[data-testid=download][data-file="config.json"][data-state=failed]`);
    await failed.waitFor({ timeout: 30000 });
    assert.match(await failed.getByTestId("download-error").textContent(), /access/i);
    await shot(page, "08-gated-bob");
    check();
    await ctx.close();
  });

  await t.test("a denied consent shows an error and makes no session", async () => {
    const { ctx, page } = await newPage(browser); // the denied callback answers 401 on purpose
    await page.goto(url);
    await connect(page, hub, "alice", "deny");
    await page.getByTestId("signin-error").waitFor();
    assert.match(await page.getByTestId("error-message").textContent(), /denied/);
    assert.equal((await session(page)).json.signed_in, false);
    assert.ok(await page.getByTestId("connect").isVisible());
    await shot(page, "09-denied");
    await ctx.close();
  });
});
