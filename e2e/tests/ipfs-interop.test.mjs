// IPFS records and other Hugging Face tools (issue #17): `hfgate download
// --ipfs` pins a file on a real Kubo node and records its CID beside the
// cache entry; @huggingface/hub's scanCacheDir and downloadFileToCacheDir
// see the same cache as before, with no warning about the record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, realpathSync } from "node:fs";
import { join, relative } from "node:path";
import { downloadFileToCacheDir, scanCacheDir } from "@huggingface/hub";
import { bin, isolatedEnv, startJSON, startKubo, tempHome } from "./lib.mjs";

const TINY = "hubsim/tiny-llama-GGUF";
const FILE = "tiny-llama-Q4_K_M.gguf";
const ipfsBin = process.env.HFGATE_IPFS_BIN;

test("an IPFS record beside the cache entry is invisible to @huggingface/hub", async (t) => {
  if (!ipfsBin) {
    assert.notEqual(process.env.HFGATE_TEST_IPFS, "1", "HFGATE_TEST_IPFS=1 but HFGATE_IPFS_BIN is not set");
    t.skip("set HFGATE_IPFS_BIN to a Kubo ipfs binary (scripts/test builds one)");
    return;
  }
  const home = tempHome(t);
  const cacheDir = join(home, "hub-cache");
  const ipfsPath = await startKubo(t, home);
  const { info } = await startJSON(t, ["hubsim", "--addr", "127.0.0.1:0", "--json"], isolatedEnv(home));
  const env = isolatedEnv(home, { HF_ENDPOINT: info.hub, HF_HUB_CACHE: cacheDir, IPFS_PATH: ipfsPath });

  const dl = spawnSync(bin, ["download", TINY, FILE, "README.md", "--ipfs"], { env, encoding: "utf8", timeout: 120_000 });
  assert.equal(dl.status, 0, `hfgate download --ipfs: ${dl.stderr}`);
  const lines = dl.stdout.trim().split("\n").map((l) => l.split("  "));
  assert.equal(lines.length, 2, dl.stdout);
  const folder = join(cacheDir, "models--hubsim--tiny-llama-GGUF");
  assert.equal(readdirSync(join(folder, ".hfgate", "ipfs")).length, 2, "two records beside the cache entry");

  const scan = await scanCacheDir(cacheDir);
  assert.deepEqual(scan.warnings, []);
  const tiny = scan.repos.find((r) => r.id.name === TINY);
  assert.ok(tiny, `scanCacheDir does not list ${TINY}`);
  assert.equal(tiny.revisions.length, 1);
  const rev = tiny.revisions[0];
  assert.deepEqual(rev.files.map((f) => relative(rev.path, f.path)).sort(), ["README.md", FILE]);

  // Offline, at the commit: served from the cache as before.
  const offline = await downloadFileToCacheDir({
    repo: TINY, path: FILE, revision: rev.commitOid, hubUrl: "http://127.0.0.1:9", cacheDir,
  });
  const [cid, path] = lines.find(([, p]) => p.endsWith(FILE));
  assert.equal(realpathSync(offline), realpathSync(path));
  assert.match(cid, /^bafy[a-z2-7]+$/);

  const verify = spawnSync(bin, ["cache", "verify"], { env, encoding: "utf8" });
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
});
