// Shared helpers for the end-to-end tests: start the real hfgate binary
// (HFGATE_BIN, built by scripts/test) and read the addresses it prints.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const bin = process.env.HFGATE_BIN || "hfgate";

// tempHome returns a fresh directory to use as HOME/XDG dirs, and a cleanup.
export function tempHome(t) {
  const dir = mkdtempSync(join(tmpdir(), "hfgate-e2e-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// isolatedEnv returns an environment for hfgate with every HF and XDG
// location under home, and no ambient token.
export function isolatedEnv(home, extra = {}) {
  const env = { ...process.env };
  for (const k of ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HUB_CACHE", "HUGGINGFACE_CLIENT_ID", "HUGGINGFACE_CLIENT_SECRET", "DBUS_SESSION_BUS_ADDRESS"]) delete env[k];
  return {
    ...env,
    HOME: home,
    HF_HOME: join(home, "hf"),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    ...extra,
  };
}

// startJSON starts `hfgate ...args` and resolves with the first line it
// prints to stdout parsed as JSON (commands like `hfgate hubsim --json`
// print their addresses that way). The process is killed after the test.
export function startJSON(t, args, env) {
  const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  t.after(() => child.kill("SIGTERM"));
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once("line", (line) => {
      try {
        resolve({ child, info: JSON.parse(line) });
      } catch (e) {
        reject(new Error(`hfgate ${args.join(" ")} printed ${line}: ${e}`));
      }
    });
    child.once("exit", (code) => reject(new Error(`hfgate ${args.join(" ")} exited ${code}: ${stderr}`)));
  });
}

// startGateway starts hubsim and hfgate serve wired to it on the database
// dbURL (hubsim's sign-in, a key file, alice as admin), with more config
// lines after those (a policy; or a function of hubsim's URL that returns
// them), and resolves with the gateway's and hubsim's URLs, the
// environment and the config file.
export async function startGateway(t, home, dbURL, more = []) {
  const env = isolatedEnv(home);
  const { info: sim } = await startJSON(t, ["hubsim", "--addr", "127.0.0.1:0", "--json"], env);
  const keys = join(home, "keys");
  writeFileSync(keys, `k1:${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  const config = join(home, "gateway.toml");
  writeFileSync(config, [
    "[hub]", `endpoint = "${sim.hub}"`, "",
    "[huggingface]", `client_id = "hubsim-confidential"`, `client_secret = "hubsim-secret"`, `title = "the simulated Hub"`, "",
    "[keys]", `file = "${keys}"`, "",
    "[admins]", `users = ["alice"]`, "",
    ...(typeof more === "function" ? more(sim.hub) : more),
  ].join("\n"));
  const { info } = await startJSON(t, ["serve", "--config", config, "--database", dbURL, "--addr", "127.0.0.1:0", "--json"], env);
  return { gw: info.url, hub: sim.hub, env, config };
}

// runHfgate runs `hfgate ...args` to completion with input on stdin and
// resolves with its exit code, stdout and stderr.
export function runHfgate(args, env, input = "") {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => {}); // hfgate may exit without reading it
    child.stdin.end(input);
  });
}

// startKubo runs `ipfs init --profile test` in a fresh IPFS_PATH and
// `ipfs daemon --offline` on it, stopped after the test; it resolves once
// the daemon wrote its API address.
export async function startKubo(t, home) {
  const ipfsBin = process.env.HFGATE_IPFS_BIN;
  const env = { ...process.env, IPFS_PATH: join(home, "ipfs") };
  delete env.IPFS_API;
  const init = spawnSync(ipfsBin, ["init", "--profile", "test", "--empty-repo"], { env, encoding: "utf8" });
  assert.equal(init.status, 0, `ipfs init: ${init.stderr}`);
  const daemon = spawn(ipfsBin, ["daemon", "--offline"], { env, stdio: "ignore" });
  t.after(() => daemon.kill("SIGINT"));
  for (let i = 0; i < 600 && !existsSync(join(env.IPFS_PATH, "api")); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(existsSync(join(env.IPFS_PATH, "api")), "ipfs daemon wrote no api file within 30s");
  return env.IPFS_PATH;
}
