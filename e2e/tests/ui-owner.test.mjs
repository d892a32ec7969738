// Only the person who started the web app may use it (issue #11), in a
// real browser: a stranger's browser, a request without the page's key, a
// cookie replayed from another port, another account's sign-in and another
// OS user all get nothing. Screenshots under e2e/screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { tempHome, isolatedEnv, startJSON } from "./lib.mjs";
import { launch, shot, newPage, api, connect } from "./ui-helpers.mjs";

const TINY = "hubsim/tiny-llama-GGUF";
const start = { repo: TINY, file: "tiny-llama-Q2_K.gguf" };

async function demo(t, home) {
  const { info } = await startJSON(t, ["demo", "--no-open", "--json"], isolatedEnv(home));
  return { ...info, base: info.url.split("?")[0] };
}

// cookieHeader builds a Cookie header of the context's cookies whose names
// pass keep, as a program that received them would replay them.
async function cookieHeader(ctx, keep) {
  return (await ctx.cookies()).filter((c) => keep(c.name)).map((c) => `${c.name}=${c.value}`).join("; ");
}

test("web app: only its owner can use it", async (t) => {
  const home = tempHome(t);
  const a = await demo(t, home);
  const browser = await launch(t);

  await t.test("a browser without the launch URL gets nothing", async () => {
    const { ctx, page } = await newPage(browser);
    const resp = await page.goto(a.base);
    assert.equal(resp.status(), 401);
    assert.match(await page.getByTestId("error-message").textContent(), /open the link it printed/);
    await shot(page, "10-stranger", false);
    assert.equal((await page.goto(`${a.base}?token=NOTTHESECRET`)).status(), 401);
    assert.equal((await api(page, "/api/downloads", { method: "POST", body: start })).status, 401);
    await ctx.close();
  });

  await t.test("the owner's page works; a request without its key does not (CSRF)", async () => {
    const { ctx, page, check } = await newPage(browser);
    await page.goto(a.url);
    await page.getByTestId("model-card").first().waitFor();
    assert.equal((await api(page, "/api/downloads")).status, 200);
    const forged = await api(page, "/api/downloads", { method: "POST", body: start, key: false });
    assert.equal(forged.status, 403, "a state-changing request without the page's key was accepted");
    assert.match(forged.json.error.message, /lacks the page's key/);
    assert.equal((await api(page, "/api/downloads", { key: false })).status, 403, "a read without the key was answered");
    assert.equal((await api(page, "/api/downloads")).json.downloads.length, 0);
    check([/403 .*\/api\/downloads/]);
    await ctx.close();
  });

  await t.test("a cookie replayed from another port is refused; two apps keep to their own", async () => {
    const b = await demo(t, tempHome(t));
    const { ctx, page, check } = await newPage(browser);
    await page.goto(a.url);
    await page.getByTestId("model-card").first().waitFor();
    await connect(page, a.hub, "alice", "approve");
    await page.getByTestId("user-name").waitFor();
    const pageB = await ctx.newPage(); // the same browser: it sends A's cookies to B's port too
    await pageB.goto(b.url);
    await pageB.getByTestId("connect").waitFor();
    assert.equal((await api(pageB, "/auth/session")).json.signed_in, false, "B took A's session cookie");
    await shot(pageB, "15-two-ports-b-not-signed-in", false);
    const names = (await ctx.cookies()).map((c) => c.name);
    assert.equal(new Set(names).size, names.length, `cookie names collide: ${names}`);
    // What a program listening on another port of 127.0.0.1 receives from
    // this browser: every cookie. Replayed without the page's key, A's
    // open nothing of A; sent to B, nothing of B.
    const all = await cookieHeader(ctx, () => true);
    for (const [path, method, body] of [["/api/downloads", "GET"], ["/api/downloads", "POST", start], ["/auth/session", "GET"],
      ["/api/models/alice/coder-lora-experiments", "GET"]]) {
      const r = await fetch(a.base + path.slice(1), { method, headers: { Cookie: all, "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin" }, body: body && JSON.stringify(body) });
      assert.equal(r.status, 403, `${method} ${path} with A's cookies replayed and no key: ${r.status}`);
    }
    const keyB = await pageB.evaluate(() => localStorage.getItem("hfgate-key"));
    const opensB = async (c) => (await fetch(`${b.base}api/downloads`, { headers: { Cookie: `${c.name}=${c.value}`, "X-Hfgate-Key": keyB } })).status === 200;
    const ofA = [];
    for (const c of await ctx.cookies()) if (!(await opensB(c))) ofA.push(`${c.name}=${c.value}`);
    assert.equal(ofA.length, 2, "A's owner and session cookies");
    const toB = await fetch(`${b.base}api/downloads`, { headers: { Cookie: ofA.join("; "), "X-Hfgate-Key": keyB } });
    assert.equal(toB.status, 401, "A's cookies opened B");
    check();
    await ctx.close();
  });

  await t.test("another account's sign-in never replaces the owner's credential", async () => {
    const { ctx, page } = await newPage(browser); // the owner's second browser
    await page.goto(a.url);
    await page.getByTestId("cli-account").waitFor();
    assert.match(await page.getByTestId("cli-account").textContent(), /@alice/);
    await connect(page, a.hub, "bob", "approve");
    await page.getByTestId("signin-error").waitFor();
    assert.match(await page.getByTestId("error-message").textContent(), /signed in to .* as @alice; @bob's sign-in was not saved/);
    await shot(page, "16-other-account-refused", false);
    assert.equal((await api(page, "/auth/session")).json.signed_in, false);
    assert.equal((await api(page, "/auth/session")).json.cli.username, "alice");
    await ctx.close();
  });

  await t.test("another OS user cannot sign in, read or start anything", async (tt) => {
    if (process.getuid() !== 0) {
      assert.notEqual(process.env.HFGATE_TEST_OSUSER, "1", "HFGATE_TEST_OSUSER=1 but not root");
      tt.skip("not root: cannot create a second OS user (CI runs as root)");
      return;
    }
    const user = `hfgw${process.pid % 100000}`;
    execFileSync("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", user]);
    tt.after(() => spawnSync("userdel", [user]));
    for (const [method, path, body] of [["GET", "/"], ["GET", "/api/downloads"], ["POST", "/api/downloads", start],
      ["GET", "/auth/session"], ["POST", "/auth/oauth/authorize/huggingface"], ["GET", "/api/models/alice/coder-lora-experiments"]]) {
      const args = ["-u", user, "--", "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, "-H", "Sec-Fetch-Site: same-origin"];
      if (body) args.push("-H", "Content-Type: application/json", "--data", JSON.stringify(body));
      const code = execFileSync("runuser", [...args, a.base + path.slice(1)], { encoding: "utf8" });
      assert.equal(code, "401", `${method} ${path} as ${user}: ${code}`);
    }
  });
});
