// hubsim's read API and its per-browser sign-in, through clients no one here
// wrote: @huggingface/hub (listFiles recursive with expand, modelInfo and
// datasetInfo with expanded fields, listCommits, pathsInfo, and
// fileDownloadInfo on a Xet-backed file, downloaded over plain HTTP) and a
// real browser with two contexts signed in as two users.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import {
  countCommits,
  datasetInfo,
  downloadFile,
  fileDownloadInfo,
  listCommits,
  listFiles,
  modelInfo,
  pathsInfo,
  whoAmI,
} from "@huggingface/hub";
import { chromium } from "playwright-core";
import { isolatedEnv, startJSON, tempHome } from "./lib.mjs";

const TINY = "hubsim/tiny-llama-GGUF";
const XET = "hubsim/xet-llama-GGUF";
const SMOL = "HuggingFaceTB/SmolLM2-135M-Instruct";
const BENCH = "hubsim/benchmark";
const DATASET = "hubsim/tiny-code-instructions";

async function collect(gen) {
  const out = [];
  for await (const x of gen) out.push(x);
  return out;
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

async function startHubsim(t) {
  const { info } = await startJSON(t, ["hubsim", "--addr", "127.0.0.1:0", "--json"], isolatedEnv(tempHome(t)));
  return info.hub;
}

test("@huggingface/hub against hubsim's read API", async (t) => {
  const hubUrl = await startHubsim(t);

  await t.test("listFiles recursive, with expand", async () => {
    const flat = await collect(listFiles({ hubUrl, repo: BENCH }));
    const all = await collect(listFiles({ hubUrl, repo: BENCH, recursive: true }));
    assert.deepEqual(flat.map((f) => f.path), [".gitattributes", "README.md", "blob-2GiB.bin", "small"]);
    const small = all.filter((f) => f.path.startsWith("small/"));
    assert.equal(small.length, 50);
    assert.ok(small.every((f) => f.type === "file" && f.size === 1 << 20 && /^[0-9a-f]{64}$/.test(f.lfs.oid)));

    const expanded = await collect(listFiles({ hubUrl, repo: XET, recursive: true, expand: true }));
    const pt = expanded.find((f) => f.path === "original/xet-llama.pt");
    assert.ok(pt, `no pickle in ${expanded.map((f) => f.path)}`);
    assert.equal(pt.securityFileStatus.status, "unsafe");
    for (const f of expanded) {
      assert.match(f.lastCommit.id, /^[0-9a-f]{40}$/, `${f.path} lastCommit`);
      if (f.type === "file") {
        assert.equal(typeof f.securityFileStatus.avScan.virusFound, "boolean", `${f.path} avScan`);
        assert.equal(!!f.xetHash, !!f.lfs, `${f.path}: xetHash for the LFS files of a Xet repo`);
      }
    }
  });

  await t.test("modelInfo and datasetInfo with expanded fields", async () => {
    const fields = ["author", "cardData", "config", "createdAt", "downloadsAllTime", "library_name", "safetensors",
      "sha", "spaces", "tags", "transformersInfo"];
    const mi = await modelInfo({ hubUrl, name: SMOL, additionalFields: fields });
    const raw = await (await fetch(`${hubUrl}/api/models/${SMOL}`)).json();
    assert.equal(mi.name, SMOL);
    assert.equal(mi.author, "HuggingFaceTB");
    assert.equal(mi.sha, raw.sha);
    assert.deepEqual(mi.config, raw.config);
    assert.ok(mi.config.architectures.length > 0);
    assert.deepEqual(mi.safetensors, raw.safetensors);
    assert.ok(mi.safetensors.total > 1e8);
    assert.equal(mi.transformersInfo.auto_model, "AutoModelForCausalLM");
    assert.equal(mi.library_name, "transformers");
    assert.ok(mi.downloadsAllTime >= mi.downloads);
    assert.equal(typeof mi.cardData, "object");

    const tiny = await modelInfo({ hubUrl, name: TINY, additionalFields: ["spaces", "gguf"] });
    assert.deepEqual(tiny.spaces, ["hubsim/coder-chat"]);
    assert.equal(tiny.gguf.architecture, "llama");

    const ds = await datasetInfo({ hubUrl, name: DATASET, additionalFields: ["description", "citation", "cardData"] });
    assert.equal(ds.name, DATASET);
    assert.match(ds.description, /coding instructions/);
    assert.deepEqual(ds.cardData.task_categories, ["text-generation"]);
    const files = await collect(listFiles({ hubUrl, repo: { type: "dataset", name: DATASET }, recursive: true }));
    const jsonl = files.find((f) => f.path === "data/train.jsonl");
    const text = await (await downloadFile({ hubUrl, repo: `datasets/${DATASET}`, path: jsonl.path })).text();
    assert.equal(Buffer.byteLength(text), jsonl.size);
    assert.equal(text.trim().split("\n").length, 5);
  });

  await t.test("listCommits, countCommits and pathsInfo", async () => {
    const token = (await (await fetch(`${hubUrl}/_hubsim/tokens`, { method: "POST", body: '{"user":"bob"}' })).json()).token;
    const commits = await collect(listCommits({ hubUrl, repo: TINY, accessToken: token, batchSize: 2 }));
    assert.deepEqual(commits.map((c) => c.title), ["Add Q2_K and Q8_0, update model card", "Add Q4_K_M", "initial commit"]);
    assert.equal(commits.at(-1).authors[0].username, "system");
    assert.equal(await countCommits({ hubUrl, repo: TINY, accessToken: token }), 3);
    const [info] = await pathsInfo({ hubUrl, repo: XET, paths: ["xet-llama-Q4_K_M.gguf"], expand: true });
    assert.match(info.xetHash, /^[0-9a-f]{64}$/);
    assert.equal(info.securityFileStatus.status, "safe");
  });

  await t.test("fileDownloadInfo on a Xet-backed file; the bytes over plain HTTP", async () => {
    const path = "xet-llama-Q4_K_M.gguf";
    const [entry] = await pathsInfo({ hubUrl, repo: XET, paths: [path] });
    const info = await fileDownloadInfo({ hubUrl, repo: XET, path });
    assert.equal(info.size, entry.lfs.size);
    assert.equal(info.etag, `"${entry.lfs.oid}"`);
    assert.equal(info.xet.hash, entry.xetHash);
    const commit = (await (await fetch(`${hubUrl}/api/models/${XET}`)).json()).sha;
    assert.equal(info.xet.refreshUrl.href, `${hubUrl}/api/models/${XET}/xet-read-token/${commit}`);
    const token = await (await fetch(info.xet.refreshUrl)).json();
    assert.match(token.accessToken, /^xet_/);
    assert.ok(token.exp * 1000 > Date.now());

    // A client that does not speak Xet downloads the same bytes through the redirect.
    const blob = await downloadFile({ hubUrl, repo: XET, path, xet: false });
    const bytes = Buffer.from(await blob.arrayBuffer());
    assert.equal(bytes.length, entry.lfs.size);
    assert.equal(sha256(bytes), entry.lfs.oid);
    assert.equal(bytes.subarray(0, 4).toString("latin1"), "GGUF");

    // A file of a repo that is not Xet-backed has no Xet info.
    assert.equal((await fileDownloadInfo({ hubUrl, repo: TINY, path: "tiny-llama-Q2_K.gguf" })).xet, undefined);
  });
});

const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// callbackServer is the app's loopback redirect URI: a server on a free
// port that records the query it is redirected to.
async function callbackServer(t) {
  const hits = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url, "http://127.0.0.1");
    if (u.pathname === "/callback") hits.push(u); // not the browser's /favicon.ico
    res.end("signed in");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  return { uri: `http://127.0.0.1:${server.address().port}/callback`, hits };
}

// signInThrough runs an OAuth authorization code flow with PKCE in a
// browser page and returns the access token.
async function signInThrough(page, hubUrl, app) {
  const redirect = app.uri;
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const q = new URLSearchParams({ client_id: "hubsim-public", redirect_uri: redirect, response_type: "code",
    scope: "openid profile", state: "s1", code_challenge: challenge, code_challenge_method: "S256" });
  const before = app.hits.length;
  await page.goto(`${hubUrl}/oauth/authorize?${q}`);
  assert.equal(app.hits.length, before + 1, `no redirect to the app; the page shows: ${await page.textContent("body")}`);
  const callback = app.hits.at(-1);
  const res = await fetch(`${hubUrl}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: callback.searchParams.get("code"),
      redirect_uri: redirect, code_verifier: verifier, client_id: "hubsim-public" }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.access_token;
}

test("two browser contexts signed in to hubsim approve as their own user", async (t) => {
  const hubUrl = await startHubsim(t);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: FLAGS });
  t.after(() => browser.close());
  const app = await callbackServer(t);
  const seen = [];
  for (const user of ["alice", "bob"]) {
    const ctx = await browser.newContext();
    // The context's request API shares its cookies: this signs the browser in.
    const login = await ctx.request.post(`${hubUrl}/_hubsim/login`, { data: { user, autoApprove: true } });
    assert.equal(login.status(), 200);
    const page = await ctx.newPage();
    const token = await signInThrough(page, hubUrl, app);
    seen.push((await whoAmI({ hubUrl, accessToken: token })).name);
  }
  assert.deepEqual(seen, ["alice", "bob"]);

  // Signed in without auto-approval, the consent page offers that user only.
  const ctx = await browser.newContext();
  await ctx.request.post(`${hubUrl}/_hubsim/login`, { data: { user: "bob" } });
  const page = await ctx.newPage();
  const q = new URLSearchParams({ client_id: "hubsim-public", redirect_uri: "http://127.0.0.1:49156/callback",
    response_type: "code", scope: "openid", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256" });
  await page.goto(`${hubUrl}/oauth/authorize?${q}`);
  assert.deepEqual(await page.locator("input[name=user]").evaluateAll((els) => els.map((e) => e.value)), ["bob"]);
});
