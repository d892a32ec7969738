// The sign-in of the real binary, used by a client no one here wrote: log in
// to `hfgate hubsim` with `hfgate login` (fetch plays the browser), then hand
// `hfgate token`'s output to @huggingface/hub.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { downloadFile, whoAmI } from "@huggingface/hub";
import { bin, isolatedEnv, runHfgate, startJSON, tempHome } from "./lib.mjs";

const GATED = "meta-llama/Llama-3.2-1B-Instruct";

test("hfgate login, then @huggingface/hub with hfgate token", async (t) => {
  const home = tempHome(t);
  const { info } = await startJSON(t, ["hubsim", "--addr", "127.0.0.1:0", "--json", "--auto-approve", "alice"], isolatedEnv(home));
  const env = isolatedEnv(home, { HF_ENDPOINT: info.hub, HUGGINGFACE_CLIENT_ID: "hubsim-public" });

  const login = spawn(bin, ["login", "--no-browser"], { env, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => login.kill());
  let stdout = "", stderr = "";
  login.stdout.on("data", (d) => (stdout += d));
  const exited = once(login, "exit");
  const authURL = await new Promise((resolve, reject) => {
    login.stderr.on("data", (d) => {
      stderr += d;
      const m = stderr.match(/http:\/\/\S+\/oauth\/authorize\?\S+/);
      if (m) resolve(m[0]);
    });
    login.on("exit", (code) => reject(new Error(`login exited ${code}: ${stderr}`)));
  });
  const approved = await fetch(authURL, { redirect: "manual" });
  assert.equal(approved.status, 302, "hubsim approves at once");
  const back = await fetch(approved.headers.get("location"));
  assert.equal(back.status, 200, "hfgate's loopback page accepts the callback");
  const [code] = await exited;
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^Signed in as alice to http:\/\/127\.0\.0\.1:\d+ \(stored in file .*\)\n$/);

  const tok = await runHfgate(["token"], env);
  assert.equal(tok.code, 0, tok.stderr);
  const accessToken = tok.stdout.trim();
  assert.match(accessToken, /^hf_oauth_/);

  const me = await whoAmI({ accessToken, hubUrl: info.hub });
  assert.equal(me.name, "alice");
  assert.equal(me.auth.type, "app_token_as_user");
  const blob = await downloadFile({ repo: GATED, path: "config.json", accessToken, hubUrl: info.hub });
  assert.ok(blob && (await blob.text()).includes("{"), "the gated file downloads with hfgate's token");

  const out = await runHfgate(["logout"], env);
  assert.equal(out.code, 0, out.stderr);
  const gone = await runHfgate(["token"], env);
  assert.equal(gone.code, 3);
  for (const s of [stdout, stderr, tok.stderr, out.stdout, out.stderr, gone.stderr]) {
    assert.ok(!s.includes(accessToken), "the access token is printed only by hfgate token");
  }
});
