// @huggingface/hub, a client no one here wrote, against `hfgate hubsim`:
// search with pagination, model info, file lists, downloads verified by
// SHA-256, gated access, and its OAuth helpers (oauthLoginUrl /
// oauthHandleRedirect) through hubsim's provider.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  downloadFile,
  listFiles,
  listModels,
  modelInfo,
  oauthHandleRedirect,
  oauthLoginUrl,
  whoAmI,
} from "@huggingface/hub";
import { isolatedEnv, startJSON, tempHome } from "./lib.mjs";

const Q7 = "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF";
const TINY = "hubsim/tiny-llama-GGUF";
const GATED = "meta-llama/Llama-3.2-1B-Instruct";

async function collect(gen) {
  const out = [];
  for await (const x of gen) out.push(x);
  return out;
}

async function postJSON(url, body, method = "POST") {
  const res = await fetch(url, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, `${method} ${url}: ${res.status}`);
  return res.json();
}

// A minimal Web Storage for the OAuth helpers, which keep the PKCE
// verifier and nonce in localStorage as in a browser.
class MemoryStorage {
  #m = new Map();
  getItem(k) { return this.#m.has(k) ? this.#m.get(k) : null; }
  setItem(k, v) { this.#m.set(k, String(v)); }
  removeItem(k) { this.#m.delete(k); }
  get length() { return this.#m.size; }
}

test("@huggingface/hub against hfgate hubsim", async (t) => {
  const home = tempHome(t);
  const { info } = await startJSON(t, ["hubsim", "--addr", "127.0.0.1:0", "--json"], isolatedEnv(home));
  const hubUrl = info.hub;
  assert.match(hubUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  const token = async (user) => (await postJSON(`${hubUrl}/_hubsim/tokens`, { user })).token;

  await t.test("listModels: search, filters, and Link pagination", async () => {
    const coder = await collect(listModels({ hubUrl, search: { query: "coder" } }));
    const raw = await (await fetch(`${hubUrl}/api/models?search=coder&limit=500`)).json();
    assert.ok(coder.length >= 8, `only ${coder.length} coder models`);
    assert.deepEqual(coder.map((m) => m.name), raw.map((m) => m.id));
    assert.ok(coder.some((m) => m.name === Q7));
    for (const m of coder) {
      assert.match(m.id, /^[0-9a-f]{24}$/);
      assert.ok(m.updatedAt instanceof Date && !isNaN(m.updatedAt));
      assert.equal(typeof m.downloads, "number");
    }

    const gguf = await collect(listModels({ hubUrl, search: { query: "coder", owner: "Qwen", tags: ["gguf"] } }));
    assert.ok(gguf.length >= 2 && gguf.length < coder.length, `${gguf.length} Qwen gguf coder models`);
    for (const m of gguf) assert.match(m.name, /^Qwen\/.*GGUF$/);

    const limited = await collect(listModels({ hubUrl, search: { query: "coder" }, limit: 3 }));
    assert.deepEqual(limited.map((m) => m.name), coder.slice(0, 3).map((m) => m.name));

    // Make hubsim answer in pages of 2: the client must follow Link rel="next".
    const urls = [];
    const smallPages = (url, init) => {
      const u = new URL(url);
      if (u.searchParams.get("limit") === "500") u.searchParams.set("limit", "2");
      urls.push(u.toString());
      return fetch(u, init);
    };
    const paged = await collect(listModels({ hubUrl, search: { query: "coder" }, fetch: smallPages }));
    assert.deepEqual(paged.map((m) => m.name), coder.map((m) => m.name));
    assert.equal(urls.length, Math.ceil(coder.length / 2));
    assert.ok(urls.slice(1).every((u) => u.includes("cursor=")), `next pages: ${urls.slice(1)}`);
  });

  await t.test("modelInfo and listFiles", async () => {
    const mi = await modelInfo({ hubUrl, name: Q7, additionalFields: ["tags", "library_name"] });
    assert.equal(mi.name, Q7);
    assert.match(mi.id, /^[0-9a-f]{24}$/);
    assert.equal(mi.private, false);
    assert.equal(mi.gated, false);
    assert.ok(mi.tags.includes("gguf"));

    const files = await collect(listFiles({ hubUrl, repo: Q7 }));
    const names = files.map((f) => f.path);
    for (const want of ["README.md", "qwen2.5-coder-7b-instruct-q4_k_m.gguf", "qwen2.5-coder-7b-instruct-q8_0.gguf"]) {
      assert.ok(names.includes(want), `${want} not in ${names}`);
    }
    const q4 = files.find((f) => f.path.endsWith("q4_k_m.gguf"));
    assert.ok(q4.lfs && q4.lfs.size === q4.size && q4.size > 4e9 && /^[0-9a-f]{64}$/.test(q4.lfs.oid));
  });

  await t.test("downloadFile: bytes match the SHA-256 and size hubsim lists", async () => {
    const files = await collect(listFiles({ hubUrl, repo: TINY }));
    const gguf = files.find((f) => f.path.endsWith(".gguf") && f.lfs);
    const blob = await downloadFile({ hubUrl, repo: TINY, path: gguf.path });
    const bytes = Buffer.from(await blob.arrayBuffer());
    assert.equal(bytes.length, gguf.lfs.size);
    assert.equal(createHash("sha256").update(bytes).digest("hex"), gguf.lfs.oid);
    assert.equal(bytes.subarray(0, 4).toString("latin1"), "GGUF");

    const readme = files.find((f) => f.path === "README.md");
    const text = await (await downloadFile({ hubUrl, repo: TINY, path: "README.md" })).text();
    assert.equal(Buffer.byteLength(text), readme.size);
    // A small file's git blob id is sha1("blob <size>\0" + bytes).
    const gitOid = createHash("sha1").update(`blob ${readme.size}\0`).update(text).digest("hex");
    assert.equal(gitOid, readme.oid);

    assert.equal(await downloadFile({ hubUrl, repo: TINY, path: "no-such-file.bin" }), null);
  });

  await t.test("gated repo: bob is refused, alice downloads", async () => {
    const bob = await token("bob");
    await assert.rejects(
      downloadFile({ hubUrl, repo: GATED, path: "config.json", accessToken: bob }),
      (err) => err.statusCode === 403 && /restricted/.test(err.message),
    );
    await assert.rejects(downloadFile({ hubUrl, repo: GATED, path: "config.json" }), (err) => err.statusCode === 401);
    const alice = await token("alice");
    const cfg = JSON.parse(await (await downloadFile({ hubUrl, repo: GATED, path: "config.json", accessToken: alice })).text());
    assert.equal(typeof cfg, "object");
    const me = await whoAmI({ hubUrl, accessToken: alice });
    assert.equal(me.name, "alice");
    assert.equal(me.auth.type, "access_token");
  });

  await t.test("OAuth: oauthLoginUrl + oauthHandleRedirect with auto-approve", async () => {
    globalThis.localStorage = new MemoryStorage();
    t.after(() => delete globalThis.localStorage);
    await postJSON(`${hubUrl}/_hubsim/auto-approve`, { user: "alice" }, "PUT");
    const redirectUrl = "http://127.0.0.1:49152/auth/oauth/callback/huggingface";
    const loginUrl = await oauthLoginUrl({
      hubUrl, clientId: "hubsim-public", redirectUrl, scopes: "openid profile email gated-repos", state: "from-test",
    });
    assert.ok(loginUrl.startsWith(`${hubUrl}/oauth/authorize?`));
    assert.ok(localStorage.getItem("huggingface.co:oauth:code_verifier"));

    const res = await fetch(loginUrl, { redirect: "manual" });
    assert.equal(res.status, 302);
    const callback = res.headers.get("location");
    assert.ok(callback.startsWith(redirectUrl + "?"), callback);

    const out = await oauthHandleRedirect({ hubUrl, redirectedUrl: callback });
    assert.match(out.accessToken, /^hf_oauth_/);
    assert.equal(out.state, "from-test");
    assert.equal(out.scope, "openid profile email gated-repos");
    assert.ok(out.accessTokenExpiresAt > new Date(Date.now() + 7 * 3600e3));
    assert.equal(out.userInfo.preferred_username, "alice");
    assert.equal(out.userInfo.email, "alice@example.com");
    assert.equal(out.userInfo.email_verified, true);
    assert.match(out.userInfo.sub, /^[0-9a-f]{24}$/);
    assert.ok(out.userInfo.picture.startsWith(hubUrl + "/avatars/"));
    assert.deepEqual(out.userInfo.orgs.map((o) => [o.preferred_username, o.roleInOrg]), [["acme", "write"]]);
    assert.equal(localStorage.getItem("huggingface.co:oauth:code_verifier"), null);

    const me = await whoAmI({ hubUrl, accessToken: out.accessToken });
    assert.equal(me.name, "alice");
    assert.equal(me.auth.type, "app_token_as_user");
    // The token works on the Hub API with its scopes: alice's gated access.
    const blob = await downloadFile({ hubUrl, repo: GATED, path: "config.json", accessToken: out.accessToken });
    assert.ok(blob.size > 0);
    // The code was used once; replaying the callback fails.
    localStorage.setItem("huggingface.co:oauth:nonce", JSON.parse(new URL(callback).searchParams.get("state")).nonce);
    localStorage.setItem("huggingface.co:oauth:code_verifier", "x".repeat(72));
    await assert.rejects(oauthHandleRedirect({ hubUrl, redirectedUrl: callback }), /invalid_grant|already used|400/);
  });

  await t.test("OAuth: a denied consent reaches oauthHandleRedirect as access_denied", async () => {
    globalThis.localStorage = new MemoryStorage();
    t.after(() => delete globalThis.localStorage);
    await postJSON(`${hubUrl}/_hubsim/auto-approve`, { user: "" }, "PUT");
    const redirectUrl = "http://127.0.0.1:49153/callback";
    const loginUrl = await oauthLoginUrl({ hubUrl, clientId: "hubsim-public", redirectUrl });
    const page = await (await fetch(loginUrl)).text();
    assert.match(page, /name="user" value="bob"/);
    const consent = page.match(/name="consent" value="([^"]+)"/)[1];
    const res = await fetch(`${hubUrl}/oauth/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ consent, user: "bob", decision: "deny" }),
    });
    assert.equal(res.status, 302);
    await assert.rejects(oauthHandleRedirect({ hubUrl, redirectedUrl: res.headers.get("location") }), /^Error: access_denied/);
  });
});
