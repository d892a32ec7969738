// @huggingface/hub, a client no one here wrote, through hfgate serve:
// hubUrl is the gateway, accessToken a gateway token. listModels,
// modelInfo, listFiles and downloadFile work as against the Hub; a Xet-
// backed file comes over plain HTTP; the gateway's policy refuses bob a
// repo it keeps for org acme (which the Hub would let him read), with the
// rule in the error; and the audit log has each download with its SHA-256
// and bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { downloadFile, fileDownloadInfo, listFiles, listModels, modelInfo } from "@huggingface/hub";
import { request } from "playwright-core";
import { runHfgate, startGateway, tempHome } from "./lib.mjs";

const QWEN = "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF";
const XET = "hubsim/xet-llama-GGUF";
const XET_FILE = "xet-llama-Q4_K_M.gguf";

// The demo policy: acme's members download anything the Hub lets them;
// everyone searches and reads metadata, and downloads only hubsim/*.
const POLICY = [
  "[[policy.rule]]", `name = "acme-members"`, `effect = "allow"`, `actions = ["*"]`, `repos = ["*"]`, `subjects = [{ org = "acme" }]`, "",
  "[[policy.rule]]", `name = "everyone-browses"`, `effect = "allow"`, `actions = ["search", "read"]`, `repos = ["*"]`, `subjects = [{ anyone = true }]`, "",
  "[[policy.rule]]", `name = "everyone-downloads-hubsim"`, `effect = "allow"`, `actions = ["download"]`, `repos = ["hubsim/*"]`, `subjects = [{ anyone = true }]`, "",
];

async function collect(gen) {
  const out = [];
  for await (const x of gen) out.push(x);
  return out;
}

const sha256 = async (blob) => createHash("sha256").update(Buffer.from(await blob.arrayBuffer())).digest("hex");

// gatewayToken signs user in to the gateway through hubsim (as a browser
// would, cookies kept) and makes them a personal token with hfgate admin.
async function gatewayToken(t, gw, hub, user, state, env) {
  const ctx = await request.newContext();
  t.after(() => ctx.dispose());
  assert.equal((await ctx.post(`${hub}/_hubsim/login`, { data: { user, autoApprove: true } })).status(), 200);
  const acct = await ctx.get(`${gw}/auth/oauth/authorize/huggingface?return_to=/api/account`);
  assert.equal(acct.status(), 200, `${user}'s sign-in ended with ${acct.status()}`);
  assert.equal((await acct.json()).user.username, user);
  const r = await runHfgate(["admin", "tokens", "create", "--user", user, "--name", "e2e", "--json", ...state], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).token;
}

test("@huggingface/hub through hfgate serve", async (t) => {
  const home = tempHome(t);
  const db = `sqlite:${join(home, "gateway.db")}`;
  const { gw, hub, env, config } = await startGateway(t, home, db, POLICY);
  const state = ["--config", config, "--database", db];
  const alice = await gatewayToken(t, gw, hub, "alice", state, env);
  const bob = await gatewayToken(t, gw, hub, "bob", state, env);
  // The Hub's bytes, over plain HTTP (hubsim offers Xet for the Xet repo,
  // whose protocol it does not serve: @huggingface/hub would fail there).
  const direct = async (repo, path) => sha256(await (await fetch(`${hub}/${repo}/resolve/main/${path}`)).blob());

  await t.test("listModels, modelInfo and listFiles", async () => {
    const coder = await collect(listModels({ hubUrl: gw, accessToken: bob, search: { query: "coder" } }));
    const raw = await (await fetch(`${hub}/api/models?search=coder&limit=500`)).json();
    assert.deepEqual(coder.map((m) => m.name), raw.map((m) => m.id), "search through the gateway lists what the Hub does");
    const info = await modelInfo({ hubUrl: gw, accessToken: bob, name: QWEN });
    assert.equal(info.name, QWEN);
    const files = await collect(listFiles({ hubUrl: gw, accessToken: bob, repo: XET, recursive: true }));
    const gguf = files.find((f) => f.path === XET_FILE);
    assert.ok(gguf && gguf.size > 1e6, "the Xet repo lists its GGUF file");
    for (const f of files) assert.equal(f.xetHash, undefined, `${f.path} offers Xet`);
  });

  await t.test("downloadFile: alice gets Qwen's file, a Xet file comes over plain HTTP", async () => {
    assert.equal(await sha256(await downloadFile({ hubUrl: gw, accessToken: alice, repo: QWEN, path: "README.md" })),
      await direct(QWEN, "README.md"));
    const info = await fileDownloadInfo({ hubUrl: gw, accessToken: bob, repo: XET, path: XET_FILE });
    assert.equal(info.xet, undefined, "the gateway offered Xet");
    assert.ok(info.url.startsWith(gw), `the file's URL ${info.url} is not the gateway's`);
    assert.equal(await sha256(await downloadFile({ hubUrl: gw, accessToken: bob, repo: XET, path: XET_FILE })),
      await direct(XET, XET_FILE));
  });

  await t.test("bob is refused what the policy keeps for acme, with the rule", async () => {
    await assert.rejects(downloadFile({ hubUrl: gw, accessToken: bob, repo: QWEN, path: "README.md" }),
      (e) => e.statusCode === 403 && /denied by rule default-deny/.test(e.message) && /membership of org acme/.test(e.message));
  });

  await t.test("the audit log has each download with its sha256 and bytes", async () => {
    const r = await runHfgate(["admin", "audit", "--json", ...state], env);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const ends = events.filter((e) => e.metadata.event_code === "end" && e.unmapped.outcome === "complete");
    // The whole file's request (clients also ask for its first byte).
    const find = (user, repo, path) => ends.find((e) => e.actor?.user?.name === user && e.resources?.[0]?.name === repo &&
      e.file?.path === path && e.http_response.code === 200);
    const readme = find("alice", QWEN, "README.md");
    assert.ok(readme, "alice's download of Qwen's README.md");
    assert.equal(readme.file.hashes?.[0].value, await direct(QWEN, "README.md"));
    const xet = find("bob", XET, XET_FILE);
    assert.ok(xet, "bob's download of the Xet file");
    assert.equal(xet.file.hashes?.[0].value, await direct(XET, XET_FILE));
    assert.equal(xet.traffic.bytes_out, (await fetch(`${hub}/${XET}/resolve/main/${XET_FILE}`, { method: "HEAD", redirect: "manual" })).headers.get("x-linked-size") * 1);
    assert.ok(events.some((e) => e.actor?.user?.name === "bob" && e.disposition === "Blocked" && e.authorizations[0].policy.name === "default-deny"),
      "bob's refusal");
    const v = await runHfgate(["admin", "audit", "verify", ...state], env);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });
});
