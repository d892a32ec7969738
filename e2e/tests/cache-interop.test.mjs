// Cache interop (issue #3): @huggingface/hub and hfgate share one Hugging
// Face cache. Files @huggingface/hub downloads are listed, verified and
// removed by `hfgate cache`; files `hfgate download` fetches are found by
// @huggingface/hub's scanCacheDir and served offline by
// downloadFileToCacheDir.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { downloadFileToCacheDir, scanCacheDir } from "@huggingface/hub";
import { bin, isolatedEnv, startJSON, tempHome } from "./lib.mjs";

const TINY = "hubsim/tiny-llama-GGUF";
const SMOL = "HuggingFaceTB/SmolLM2-135M-Instruct";

// hfgate runs the binary to completion and returns its exit status and output.
function hfgate(env, ...args) {
  const r = spawnSync(bin, args, { env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function hfgateJSON(env, ...args) {
  const r = hfgate(env, ...args, "--json");
  assert.equal(r.code, 0, `hfgate ${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test("one cache for @huggingface/hub and hfgate", async (t) => {
  const home = tempHome(t);
  const cacheDir = join(home, "hub-cache");
  const { info } = await startJSON(t, ["hubsim", "--addr", "127.0.0.1:0", "--json"], isolatedEnv(home));
  const hubUrl = info.hub;
  const env = isolatedEnv(home, { HF_ENDPOINT: hubUrl, HF_HUB_CACHE: cacheDir });

  await t.test("hfgate lists and verifies what @huggingface/hub downloaded", async () => {
    const gguf = await downloadFileToCacheDir({ repo: TINY, path: "tiny-llama-Q4_K_M.gguf", hubUrl, cacheDir });
    const readme = await downloadFileToCacheDir({ repo: TINY, path: "README.md", hubUrl, cacheDir });
    const size = readFileSync(gguf).length + readFileSync(readme).length;

    const ls = hfgateJSON(env, "cache", "ls");
    assert.equal(realpathSync(ls.dir), realpathSync(cacheDir));
    const repo = ls.repos.find((r) => r.id === TINY);
    assert.ok(repo, `hfgate cache ls does not list ${TINY}: ${JSON.stringify(ls)}`);
    assert.equal(repo.size, size);
    assert.equal(repo.files, 2);
    // @huggingface/hub files each file under the commit that last changed it.
    const files = repo.revisions.flatMap((rev) => rev.files.map((f) => ({ ...f, commit: rev.commit })));
    for (const p of [gguf, readme]) {
      const f = files.find((f) => f.local_path === p);
      assert.ok(f, `hfgate does not list ${p}: ${JSON.stringify(files)}`);
      assert.equal(f.commit, basename(dirname(p)));
      assert.equal(f.size, readFileSync(p).length);
    }

    const ok = hfgate(env, "cache", "verify", TINY);
    assert.equal(ok.code, 0, `verify: ${ok.stdout}${ok.stderr}`);

    // A damaged blob written by @huggingface/hub fails hfgate's check (exit 7).
    const blob = realpathSync(gguf);
    const good = readFileSync(blob);
    const bad = Buffer.from(good);
    bad[bad.length >> 1] ^= 0xff;
    writeFileSync(blob, bad);
    const damaged = hfgate(env, "cache", "verify", TINY, "--json");
    assert.equal(damaged.code, 7, damaged.stderr);
    assert.deepEqual(JSON.parse(damaged.stdout).problems.map((p) => [p.kind, p.path]), [["mismatch", blob]]);
    writeFileSync(blob, good);

    // hfgate cache rm removes it for @huggingface/hub too.
    const rm = hfgate(env, "cache", "rm", TINY, "--yes");
    assert.equal(rm.code, 0, rm.stderr);
    assert.ok(!(await scanCacheDir(cacheDir)).repos.some((r) => r.id.name === TINY));
  });

  await t.test("@huggingface/hub finds what hfgate downloaded, offline", async () => {
    const dl = hfgate(env, "download", TINY, "tiny-llama-Q2_K.gguf", "README.md");
    assert.equal(dl.code, 0, `hfgate download: ${dl.stderr}`);
    const dl2 = hfgate(env, "download", SMOL, "config.json");
    assert.equal(dl2.code, 0, `hfgate download: ${dl2.stderr}`);

    const scan = await scanCacheDir(cacheDir);
    assert.deepEqual(scan.warnings, []);
    const tiny = scan.repos.find((r) => r.id.name === TINY && r.id.type === "model");
    assert.ok(tiny, `scanCacheDir does not list ${TINY}`);
    assert.equal(tiny.revisions.length, 1);
    const rev = tiny.revisions[0];
    assert.deepEqual(rev.refs, ["main"]);
    assert.deepEqual(rev.files.map((f) => relative(rev.path, f.path)).sort(), ["README.md", "tiny-llama-Q2_K.gguf"]);
    assert.ok(scan.repos.some((r) => r.id.name === SMOL));

    // hfgate and @huggingface/hub agree on sizes.
    const ours = hfgateJSON(env, "cache", "ls", TINY).repos[0];
    assert.equal(ours.size, tiny.size);
    assert.equal(ours.revisions[0].commit, rev.commitOid);

    // At a commit, @huggingface/hub serves the file from the cache with no
    // network at all: the Hub URL below answers nothing.
    const offline = await downloadFileToCacheDir({
      repo: TINY, path: "tiny-llama-Q2_K.gguf", revision: rev.commitOid, hubUrl: "http://127.0.0.1:9", cacheDir,
    });
    const listed = rev.files.find((f) => basename(f.path) === "tiny-llama-Q2_K.gguf");
    assert.equal(realpathSync(offline), realpathSync(listed.blob.path));
    assert.equal(readFileSync(offline).length, listed.blob.size);

    const verify = hfgate(env, "cache", "verify");
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
});
