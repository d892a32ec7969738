// The gateway's admin console in a real browser (Debian's chromium): alice,
// an admin, sees every page; bob, signed in but no admin, gets 403 on every
// page and admin API; the audit log filters, follows live, exports JSON
// lines and CSV and verifies its chains; an admin revokes bob's token on
// his page and bob's next download through the gateway is refused. CI
// exchanges against hubsim's simulated GitHub Actions fill the log.
// Screenshots of each page go to e2e/screenshots/admin-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { isolatedEnv, runHfgate, startGateway, tempHome } from "./lib.mjs";

const shots = fileURLToPath(new URL("../screenshots/", import.meta.url));
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const demoPolicy = readFileSync(fileURLToPath(new URL("../../cmd/hfgate/testdata/gateway-demo.toml", import.meta.url)), "utf8");

async function shot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}admin-${name}.png`, fullPage: true });
}

// startConsoleGateway starts hubsim and hfgate serve as a team would run
// it: the demo policy, alice as admin, hubsim's CI issuer trusted for
// acme/app on main.
function startConsoleGateway(t, home) {
  return startGateway(t, home, `sqlite:${join(home, "gateway.db")}`, (hub) => [
    "[server]", `replica = "e2e"`, "",
    "[[ci.issuer]]", `name = "hubsim-ci"`, `url = "${hub}/_hubsim/ci"`, "",
    "[[ci.trust]]", `name = "acme-app-main"`, `issuer = "hubsim-ci"`,
    `claims = { repository_id = "42", repository_owner_id = "7", ref = "refs/heads/main" }`, "",
    demoPolicy,
  ]);
}

// exchange runs a simulated GitHub Actions job of acme/app on ref and
// trades its ID token at the gateway, as huggingface_hub does (JSON body).
async function exchange(hub, gw, ref = "refs/heads/main") {
  const job = await (await fetch(`${hub}/_hubsim/ci/jobs`, { method: "POST", body: JSON.stringify({
    repository: "acme/app", repository_id: "42", repository_owner: "acme", repository_owner_id: "7", ref }) })).json();
  const idt = await (await fetch(`${job.request_url}&audience=${encodeURIComponent(gw)}`,
    { headers: { Authorization: `Bearer ${job.request_token}` } })).json();
  const resp = await fetch(`${gw}/oauth/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: idt.value,
    subject_token_type: "urn:ietf:params:oauth:token-type:id_token" }) });
  return { status: resp.status, body: await resp.json() };
}

// newContext is a browser context signed in to hubsim as user, recording
// page errors and CSP violations when strict.
async function newContext(browser, hub, user, strict = true) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const login = await ctx.request.post(`${hub}/_hubsim/login`, { data: { user, autoApprove: true } });
  assert.equal(login.status(), 200);
  const page = await ctx.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text()); });
  if (strict) page.on("response", (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  return { ctx, page, check: () => assert.deepEqual(problems, [], "the page had errors") };
}

async function signIn(page, gw, user) {
  await page.goto(gw);
  await page.getByRole("link", { name: /Sign in with/ }).first().click();
  await page.waitForURL((u) => u.href.startsWith(gw), { timeout: 15000 });
  assert.equal(await page.locator("#account-link").textContent(), user);
}

const pages = ["/admin", "/admin/users", "/admin/tokens", "/admin/ci", "/admin/audit", "/admin/policy",
  "/admin/audit?decision=deny", "/admin/policy?as=user&user=bob&repo=hubsim/tiny-llama-GGUF&action=download"];
const apis = ["/admin/api/users", "/admin/api/sessions", "/admin/api/tokens", "/admin/api/audit", "/admin/api/audit/export?format=csv",
  "/admin/api/audit/export?format=jsonl", "/admin/api/audit/verify", "/admin/api/ci", "/admin/api/policy",
  "/admin/api/policy/explain?as=anonymous&repo=hubsim/tiny-llama-GGUF&action=download"];

test("the admin console in a browser: 403 for non-admins, users and revocation, CI, audit filters, live follow and export, policy", async (t) => {
  const home = tempHome(t);
  const { gw, hub } = await startConsoleGateway(t, home);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: FLAGS });
  t.after(() => browser.close());

  const alice = await newContext(browser, hub, "alice");
  const bob = await newContext(browser, hub, "bob", false);
  await signIn(alice.page, gw, "alice");
  await signIn(bob.page, gw, "bob");
  await alice.page.goto(gw);
  await shot(alice.page, "start-page");

  // Bob is no admin: every page and every admin API answers 403.
  const bobSubject = (await (await bob.ctx.request.get(`${gw}/api/account`)).json()).user.subject;
  for (const path of [...pages, `/admin/users/${encodeURIComponent(bobSubject)}`]) {
    const resp = await bob.page.goto(gw + path);
    assert.equal(resp.status(), 403, `bob GET ${path}`);
  }
  await shot(bob.page, "forbidden");
  for (const path of apis) {
    const resp = await bob.ctx.request.get(gw + path);
    assert.equal(resp.status(), 403, `bob GET ${path}`);
    assert.match(resp.headers()["content-type"], /application\/json/);
  }
  const csrf = (await (await bob.ctx.request.get(`${gw}/auth/session`)).json()).csrf_token;
  const post = await bob.ctx.request.post(`${gw}/admin/api/revoke`, { data: { user: "alice" }, headers: { "X-CSRF-Token": csrf, Origin: gw } });
  assert.equal(post.status(), 403, "bob's revoke");
  const anon = await browser.newContext();
  assert.equal((await anon.request.get(`${gw}/admin/api/users`)).status(), 401, "anonymous admin API");
  await anon.close();

  // Bob makes a personal token and downloads a model through the gateway with it.
  await bob.page.goto(`${gw}/account`);
  await bob.page.fill("#create-token input[name=name]", "laptop script");
  await bob.page.click("#create-token button[type=submit]");
  const token = (await bob.page.locator("#new-token-value").textContent()).trim();
  const download = (file) => runHfgate(["download", "hubsim/tiny-llama-GGUF", file],
    isolatedEnv(join(home, "bob"), { HF_ENDPOINT: gw, HF_TOKEN: token }));
  const before = await download("tiny-llama-Q2_K.gguf");
  assert.equal(before.code, 0, `bob's download: ${before.stderr}`);

  // CI: one granted exchange, one refused.
  assert.equal((await exchange(hub, gw)).status, 200);
  const refused = await exchange(hub, gw, "refs/heads/dev");
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error, "invalid_grant");

  // Alice's console.
  await alice.page.goto(`${gw}/admin`);
  assert.equal(await alice.page.locator("#count-users").textContent(), "2");
  await shot(alice.page, "overview");
  await alice.page.click("nav.console >> text=Users");
  await shot(alice.page, "users");
  await alice.page.click('#users tr[data-user="bob"] a');
  await alice.page.waitForSelector("#tokens");
  await shot(alice.page, "user");
  const row = alice.page.locator("#tokens tr", { hasText: "laptop script" });
  await row.getByRole("button", { name: "Revoke" }).click();
  await alice.page.waitForLoadState();
  assert.equal(await alice.page.locator("#tokens tr", { hasText: "laptop script" }).count(), 0, "the revoked token is still listed");
  const after = await download("tiny-llama-Q4_K_M.gguf");
  assert.equal(after.code, 3, `bob's download after the revocation: exit ${after.code}: ${after.stderr}`);
  assert.match(after.stderr, /token was rejected/);

  await alice.page.goto(`${gw}/admin/tokens?all=1`);
  await shot(alice.page, "tokens");
  await alice.page.goto(`${gw}/admin/ci`);
  assert.equal(await alice.page.locator("#ci-exchanges tbody tr").count(), 2);
  assert.equal(await alice.page.locator('#ci-rules tr[data-rule="acme-app-main"]').count(), 1);
  await shot(alice.page, "ci");

  // The audit log: filters, live follow, verification, export.
  await alice.page.goto(`${gw}/admin/audit`);
  await alice.page.selectOption("#audit-filters select[name=decision]", "deny");
  await alice.page.click("#audit-filters button[type=submit]");
  await alice.page.waitForURL(/decision=deny/);
  assert.equal(await alice.page.locator("#audit-rows tr[data-id]").count(), 1, "one refused exchange");
  await alice.page.fill("#audit-filters input[name=user]", "alice");
  await alice.page.selectOption("#audit-filters select[name=decision]", "");
  await alice.page.selectOption("#audit-filters select[name=action]", "revoke-token");
  await alice.page.click("#audit-filters button[type=submit]");
  await alice.page.waitForURL(/action=revoke-token/);
  assert.equal(await alice.page.locator("#audit-rows tr[data-id]").count(), 1, "alice's revocation");
  await alice.page.goto(`${gw}/admin/audit?kind=exchange&since=1h`);
  assert.equal(await alice.page.locator("#audit-rows tr[data-id]").count(), 2);
  await alice.page.click("#follow");
  assert.equal((await exchange(hub, gw)).status, 200);
  await alice.page.waitForSelector("#audit-rows tr.fresh", { timeout: 15000 });
  await alice.page.click("#follow");
  await alice.page.click("#verify-run");
  await alice.page.waitForSelector("#verify-status .badge.allow", { timeout: 15000 });
  await shot(alice.page, "audit");

  const [csv] = await Promise.all([alice.page.waitForEvent("download"), alice.page.click("#export-csv")]);
  const csvText = readFileSync(await csv.path(), "utf8").trim().split("\n");
  assert.equal(csvText.length, 4, `CSV: a header and three exchanges, got ${csvText.length} lines`);
  const [jsonl] = await Promise.all([alice.page.waitForEvent("download"), alice.page.click("#export-jsonl")]);
  const records = readFileSync(await jsonl.path(), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(records.length, 3);
  assert.ok(records.every((r) => r.class_name === "Authentication"), "exchanges are OCSF Authentication");
  assert.deepEqual(records.map((r) => r.disposition).sort(), ["Allowed", "Allowed", "Blocked"]);

  // The policy, and why bob may download hubsim's tiny model.
  await alice.page.goto(`${gw}/admin/policy`);
  await alice.page.fill("#explain input[name=user]", "bob");
  await alice.page.fill("#explain input[name=repo]", "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF");
  await alice.page.click("#explain button[type=submit]");
  await alice.page.waitForSelector("#explanation");
  assert.equal(await alice.page.locator("#explain-rule").textContent(), "default-deny");
  await shot(alice.page, "policy");
  alice.check();
});
