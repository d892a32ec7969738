// @huggingface/gguf, a parser no one here wrote, reads hubsim's generated
// GGUF files over HTTP Range requests (through the resolve redirect to the
// CDN host) and must agree with what hubsim's API says about them: the
// architecture, context length, parameter count, BOS/EOS tokens, and the
// quantization named in the file name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gguf, ggufAllShards, GGMLFileQuantizationType, parseGGUFQuantLabel } from "@huggingface/gguf";
import { isolatedEnv, startJSON, tempHome } from "./lib.mjs";

// The 14B repo is the sharded one (-00001-of-0000N.gguf).
const REPOS = ["hubsim/tiny-llama-GGUF", "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF"];
const SHARDED = "Qwen/Qwen2.5-Coder-14B-Instruct-GGUF";

async function getJSON(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}: ${res.status}`);
  return res.json();
}

// counting wraps fetch and counts the bytes of the bodies it returns.
function counting() {
  const c = { bytes: 0 };
  c.fetch = async (url, init) => {
    const res = await fetch(url, init);
    const buf = await res.arrayBuffer();
    c.bytes += buf.byteLength;
    return new Response(buf, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return c;
}

test("@huggingface/gguf agrees with hubsim's catalog", async (t) => {
  const home = tempHome(t);
  const { info } = await startJSON(t, ["hubsim", "--addr", "127.0.0.1:0", "--json"], isolatedEnv(home));
  const hub = info.hub;

  for (const repo of REPOS) {
    await t.test(repo, async () => {
      const api = (await getJSON(`${hub}/api/models/${repo}?expand=gguf`)).gguf;
      const tree = await getJSON(`${hub}/api/models/${repo}/tree/main`);
      const files = tree.filter((f) => f.path.endsWith(".gguf"));
      assert.ok(files.length >= 3, `${repo} has ${files.length} GGUF files`);
      for (const f of files) {
        const c = counting();
        const { metadata, tensorInfos, parameterCount } = await gguf(`${hub}/${repo}/resolve/main/${f.path}`, {
          computeParametersCount: true,
          fetch: c.fetch,
        });
        const arch = metadata["general.architecture"];
        assert.equal(arch, api.architecture, f.path);
        assert.equal(Number(metadata[`${arch}.context_length`]), api.context_length, f.path);
        assert.equal(parameterCount, api.total, `${f.path}: parameter count`);
        assert.ok(tensorInfos.length > 0);
        const tokens = metadata["tokenizer.ggml.tokens"];
        assert.equal(tokens[Number(metadata["tokenizer.ggml.bos_token_id"])], api.bos_token, `${f.path}: BOS`);
        assert.equal(tokens[Number(metadata["tokenizer.ggml.eos_token_id"])], api.eos_token, `${f.path}: EOS`);
        const label = parseGGUFQuantLabel(f.path);
        assert.equal(Number(metadata["general.file_type"]), GGMLFileQuantizationType[label], `${f.path}: file_type vs ${label}`);
        // The header was read with ranged requests, not by downloading the file.
        assert.ok(c.bytes < Math.min(f.size, 16 << 20), `${f.path}: read ${c.bytes} of ${f.size} bytes`);
      }
    });
  }

  await t.test(`${SHARDED} (sharded)`, async () => {
    const api = (await getJSON(`${hub}/api/models/${SHARDED}?expand=gguf`)).gguf;
    const tree = await getJSON(`${hub}/api/models/${SHARDED}/tree/main`);
    const first = tree.find((f) => /-00001-of-\d{5}\.gguf$/.test(f.path));
    assert.ok(first, "no first shard");
    const { shards, parameterCount } = await ggufAllShards(`${hub}/${SHARDED}/resolve/main/${first.path}`);
    const total = Number(first.path.match(/-of-(\d{5})\.gguf$/)[1]);
    assert.equal(shards.length, total);
    assert.equal(parameterCount, api.total);
    const prefix = first.path.replace(/-00001-of-\d{5}\.gguf$/, "");
    const group = tree.filter((f) => f.path.startsWith(prefix + "-0"));
    assert.equal(group.length, total);
    assert.equal(api.totalFileSize, group.reduce((n, f) => n + f.size, 0));
  });
});
