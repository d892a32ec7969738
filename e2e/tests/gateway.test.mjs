// hfgate serve in a real browser: two people sign in to the gateway through
// hubsim, each in browser contexts of their own, and each sees only their
// own sessions; a personal token made on /account works as a bearer token;
// ending a session signs that browser out; and "hfgate login --device"
// completes once the code is approved on the gateway's device page. Run on
// SQLite and, when HFGATE_TEST_POSTGRES is set (scripts/test sets it), on
// PostgreSQL. Screenshots go to e2e/screenshots/gateway-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { bin, isolatedEnv, startGateway, tempHome } from "./lib.mjs";

const shots = fileURLToPath(new URL("../screenshots/", import.meta.url));
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function shot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}gateway-${name}.png`, fullPage: true });
}

// databases are the stores to run on: a SQLite file, and a fresh schema on
// the test PostgreSQL server when there is one.
function databases() {
  const out = [{ name: "sqlite", url: (home) => `sqlite:${join(home, "gateway.db")}` }];
  const pg = process.env.HFGATE_TEST_POSTGRES;
  if (pg) {
    out.push({
      name: "postgres", url: () => {
        const schema = `e2e_${randomBytes(6).toString("hex")}`;
        const r = spawnSync("psql", [pg, "-qc", `CREATE SCHEMA ${schema}`], { encoding: "utf8" });
        assert.equal(r.status, 0, `psql: ${r.stderr}`);
        const u = new URL(pg);
        u.searchParams.set("search_path", schema);
        return u.toString();
      },
    });
  } else if (process.env.HFGATE_TEST_POSTGRES_REQUIRED === "1") {
    throw new Error("PostgreSQL is required but HFGATE_TEST_POSTGRES is not set");
  }
  return out;
}

// newContext is a browser context signed in to hubsim as user (consent
// approved at once), recording page errors and CSP violations.
async function newContext(browser, hub, user) {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const login = await ctx.request.post(`${hub}/_hubsim/login`, { data: { user, autoApprove: true } });
  assert.equal(login.status(), 200);
  const page = await ctx.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text()); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  return { ctx, page, check: () => assert.deepEqual(problems, [], "the page had errors") };
}

// signIn clicks the gateway's sign-in button and comes back signed in.
async function signIn(page, gw, user) {
  await page.goto(gw);
  await page.getByRole("link", { name: /Sign in with/ }).first().click();
  await page.waitForURL((u) => u.href.startsWith(gw), { timeout: 15000 });
  assert.equal(await page.locator("#account-link").textContent(), user);
}

// sessionIDs reads the sessions listed on /account.
async function sessionIDs(page, gw) {
  await page.goto(`${gw}/account`);
  return page.locator("#sessions tr[data-session]").evaluateAll((rows) => rows.map((r) => r.dataset.session));
}

for (const db of databases()) {
  test(`gateway in a browser on ${db.name}: two users, own sessions, tokens, device sign-in`, async (t) => {
    const home = tempHome(t);
    const { gw, hub, env } = await startGateway(t, home, db.url(home));
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: FLAGS });
    t.after(() => browser.close());

    const alice = await newContext(browser, hub, "alice");
    const alice2 = await newContext(browser, hub, "alice");
    const bob = await newContext(browser, hub, "bob");
    await alice.page.goto(gw);
    await shot(alice.page, "home");
    await signIn(alice.page, gw, "alice");
    await signIn(alice2.page, gw, "alice");
    await signIn(bob.page, gw, "bob");

    const mine = await sessionIDs(alice.page, gw);
    const bobs = await sessionIDs(bob.page, gw);
    await shot(alice.page, "account");
    assert.equal(mine.length, 2, "alice's two browsers");
    assert.equal(bobs.length, 1, "bob's one browser");
    assert.ok(!bobs.some((id) => mine.includes(id)), "bob sees none of alice's sessions");

    // A personal token, shown once, works as a bearer token.
    await alice.page.fill("#create-token input[name=name]", "laptop script");
    await alice.page.click("#create-token button[type=submit]");
    const token = (await alice.page.locator("#new-token-value").textContent()).trim();
    assert.match(token, /^hf_[A-Za-z0-9]{40}$/);
    await shot(alice.page, "new-token");
    const who = await (await fetch(`${gw}/api/whoami-v2`, { headers: { Authorization: `Bearer ${token}` } })).json();
    assert.equal(who.name, "alice");
    assert.equal(who.auth.accessToken.displayName, "laptop script");

    // Alice ends her other browser's session: that browser is signed out.
    const current = await alice.page.locator("#sessions tr[data-session]").evaluateAll((rows) =>
      rows.filter((r) => r.textContent.includes("this browser")).map((r) => r.dataset.session));
    const other = mine.find((id) => !current.includes(id));
    await alice.page.click(`#sessions tr[data-session="${other}"] button`);
    await alice.page.waitForURL(`${gw}/account`);
    assert.equal((await sessionIDs(alice.page, gw)).length, 1);
    await alice2.page.goto(gw);
    assert.equal(await alice2.page.locator("#account-link").count(), 0, "the ended session still signs alice2 in");

    // hfgate login --device against the gateway, approved in bob's browser.
    const login = spawn(bin, ["login", "--endpoint", gw, "--device", "--no-browser"], { env, stdio: ["ignore", "pipe", "pipe"] });
    t.after(() => login.kill());
    let stdout = "";
    login.stdout.on("data", (d) => (stdout += d));
    const code = await new Promise((resolve, reject) => {
      const rl = createInterface({ input: login.stderr });
      rl.on("line", (l) => { const m = /^\s+([A-Z]{4}-[A-Z]{4})\s*$/.exec(l); if (m) resolve(m[1]); });
      login.once("exit", (c) => reject(new Error(`login exited ${c}`)));
    });
    await bob.page.goto(`${gw}/oauth/device?user_code=${code}`);
    assert.equal((await bob.page.locator("#device-code").textContent()).trim(), code);
    await shot(bob.page, "device");
    await bob.page.click("#approve");
    await bob.page.locator("#device-done").waitFor();
    await shot(bob.page, "device-approved");
    const exit = await new Promise((resolve) => login.once("exit", resolve));
    assert.equal(exit, 0, stdout);
    assert.match(stdout, new RegExp(`^Signed in as bob to ${gw}`));

    for (const c of [alice, alice2, bob]) c.check();
  });
}
