// The web app in a real browser: `hfgate demo` (hubsim + the app) driven by
// Debian's chromium through playwright-core. Each state is saved as a
// screenshot under e2e/screenshots/. Safety (only the owner) is in
// ui-owner.test.mjs, IPFS in ui-ipfs.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { bin, tempHome, isolatedEnv, startJSON } from "./lib.mjs";
import { launch, shot, newPage, api, connect, faults } from "./ui-helpers.mjs";

const GATED = "meta-llama/Llama-3.2-1B-Instruct";
const TINY = "hubsim/tiny-llama-GGUF";
const TINY_FILE = "tiny-llama-Q2_K.gguf";
const QWEN7 = "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF";
const SMOL = "HuggingFaceTB/SmolLM2-135M-Instruct";

const row = (page, path) => page.locator(`[data-testid=file-row][data-path="${path}"]`);
const dl = (page, file) => page.locator(`[data-testid=download][data-file="${file}"]`);

test("web app: sign in, search, model page, download, sign out; gated; denied consent", async (t) => {
  const home = tempHome(t);
  const env = isolatedEnv(home);
  const { info } = await startJSON(t, ["demo", "--no-open", "--json", "--memory", "16GB"], env);
  const { url, hub, cache } = info;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Z2-7]+$/, "demo prints one URL, with the launch secret");
  const base = url.split("?")[0];
  assert.ok(cache.startsWith(home), `demo cache ${cache} is not under the test's home`);
  const browser = await launch(t);

  await t.test("connect as alice; recommendations read like advice", async () => {
    const { ctx, page, check } = await newPage(browser);
    const opened = Date.now();
    await page.goto(url);
    await page.waitForURL(base + "?sort=downloads");
    assert.ok(!page.url().includes("token="), "the launch secret stays in the address bar");
    await page.getByTestId("model-card").first().waitFor();
    await page.getByTestId("recommendation").first().waitFor({ timeout: 30000 });
    console.log(`# recommendations shown ${Date.now() - opened} ms after opening the demo's URL`);
    await shot(page, "01-home", false);
    // "20 models", not "20 models so far".
    assert.equal(await page.getByTestId("results-count").textContent(), "20 models");
    assert.match(await page.locator("footer").textContent(), /sizes in GB \(1 GB = 1,000,000,000 bytes\)/);
    // Recommendations: formatted numbers, "3 parts", one action each.
    const recs = page.getByTestId("recommendation");
    const texts = await recs.evaluateAll((els) => els.map((e) => e.textContent));
    assert.ok(texts.some((x) => /\d{1,3}(,\d{3})+ downloads/.test(x)), `no formatted download counts in ${texts}`);
    assert.ok(texts.every((x) => !/-0000\d-of-0000\d/.test(x)), "a shard suffix is shown");
    assert.ok(texts.some((x) => /\(3 parts\)/.test(x)), "no split model shown as parts");
    for (const r of await recs.all()) assert.equal(await r.locator("button, a.btn").count(), 1, "one action per recommendation");

    await connect(page, hub, "alice", "approve");
    await page.getByTestId("user-name").waitFor();
    assert.equal(await page.getByTestId("user-name").textContent(), "Alice Martin");
    const img = await page.getByTestId("avatar").evaluate((e) => ({ tag: e.tagName, src: e.src, width: e.naturalWidth }));
    assert.equal(img.tag, "IMG", "the avatar fell back to the initial");
    assert.ok(img.src.startsWith(hub + "/avatars/"), `avatar from ${img.src}`);
    const s = await api(page, "/auth/session");
    assert.equal(s.json.signed_in, true);
    assert.equal(s.json.username, "alice");
    assert.doesNotMatch(s.text, /hf_/, "the session JSON must not hold a token");
    for (const c of await ctx.cookies()) assert.doesNotMatch(c.value, /^hf_/, `cookie ${c.name} holds a token`);
    const sc = (await ctx.cookies()).find((c) => c.name.startsWith("hfgate_session_"));
    assert.ok(sc && sc.httpOnly && sc.sameSite === "Lax", "session cookie must be HttpOnly, SameSite=Lax, named for the launch");
    await shot(page, "02-signed-in", false);

    await page.getByTestId("search-input").fill("coder");
    await page.getByTestId("gguf-only").check();
    await page.getByTestId("search-button").click();
    await page.waitForURL(/[?&]gguf=1/);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=model-card]").length > 0 &&
      !document.querySelector("#results[aria-busy]"));
    for (const id of await page.getByTestId("model-card").evaluateAll((els) => els.map((e) => e.dataset.id))) assert.match(id.toLowerCase(), /coder/);
    // A GGUF pill says what it sums.
    assert.match(await page.getByTestId("gguf-pill").first().getAttribute("title"), /all quantizations together/);
    await shot(page, "03-search-coder-gguf", false);

    await page.goto(`${base}models/alice/coder-lora-experiments`);
    await page.getByTestId("private-badge").waitFor();
    await shot(page, "04b-private", false);
    check();
    await ctx.close();
  });

  await t.test("model page: files at once, headers as they arrive, card, suggestion (items 3, 4)", async () => {
    const { ctx, page, check } = await newPage(browser);
    await page.goto(url);
    const sha = (await (await fetch(`${hub}/api/models/${QWEN7}`)).json()).sha;
    // One header is slow: the others must not wait for it.
    await faults(hub, [{ host: "hub", pathPrefix: `/${QWEN7}/resolve/${sha}/qwen2.5-coder-7b-instruct-q8_0.gguf`, latency: "8s" }]);
    const opened = Date.now();
    await page.goto(`${base}models/${QWEN7}`);
    await page.getByTestId("files").waitFor();
    const listed = Date.now() - opened;
    await row(page, "qwen2.5-coder-7b-instruct-q4_k_m.gguf").getByTestId("fit-badge").waitFor({ timeout: 20000 });
    assert.equal(await row(page, "qwen2.5-coder-7b-instruct-q8_0.gguf").getByTestId("fit-pending").count(), 1,
      "the Q4_K_M header is shown while the slow Q8_0 one is still read");
    await shot(page, "12-headers-arriving", false);
    await page.locator("[data-testid=files][data-complete=true]").waitFor({ timeout: 30000 });
    console.log(`# ${QWEN7}: files listed after ${listed} ms; all headers after ${Date.now() - opened} ms (one delayed 8 s)`);
    await faults(hub);
    // Suggested: the best quantization that fits 16 GB; non-weights last.
    await page.getByTestId("suggestion").getByText("Suggested for this machine").waitFor();
    assert.equal(await page.getByTestId("suggested-badge").locator("xpath=ancestor::tr").getAttribute("data-path"), "qwen2.5-coder-7b-instruct-q8_0.gguf");
    const paths = await page.getByTestId("file-row").evaluateAll((els) => els.map((e) => e.dataset.path));
    assert.ok(paths.slice(0, 3).every((p) => p.endsWith(".gguf")), `weights first: ${paths}`);
    assert.ok(!paths.at(-1).endsWith(".gguf"), `not weights last: ${paths}`);
    // The model card, rendered safely.
    const card = page.getByTestId("model-card-body");
    await card.locator("h1, h2, p").first().waitFor();
    assert.equal(await card.locator("script, iframe, [onerror], [onclick]").count(), 0);
    for (const a of await card.locator("a").all()) {
      assert.equal(await a.getAttribute("rel"), "noopener noreferrer");
      assert.match(await a.getAttribute("href"), /^(https?:|mailto:)/);
    }
    await shot(page, "13-model-card-suggestion", true);
    // The quantization filter.
    await page.getByTestId("filter-quant").selectOption("Q4_K_M");
    assert.deepEqual(await page.locator("[data-testid=file-row]:visible").evaluateAll((els) => els.map((e) => e.dataset.path)),
      ["qwen2.5-coder-7b-instruct-q4_k_m.gguf"]);
    await page.getByTestId("filter-quant").selectOption("");

    // A transformers repo downloads whole with one action.
    await page.goto(`${base}models/${SMOL}`);
    await faults(hub, [{ host: "cdn", bandwidthPerConn: 1000000 }]); // slow, to be canceled
    await page.getByTestId("download-all").click();
    const whole = page.locator("[data-testid=download]").filter({ hasText: `All files of ${SMOL}` });
    await whole.waitFor();
    assert.equal(await page.locator("[data-testid=download]").count(), 1, "the whole repository is one download");
    await shot(page, "14-download-all", false);
    await whole.getByTestId("download-cancel").click();
    await whole.and(page.locator("[data-state=canceled]")).waitFor();
    await faults(hub);
    check();
    await ctx.close();
  });

  await t.test("download: keyboard, live region, Downloaded with path and Verify, no duplicate (items 2, 7)", async () => {
    const { ctx, page, check } = await newPage(browser);
    await page.goto(url);
    await page.goto(`${base}models/${TINY}`);
    await page.locator("[data-testid=files][data-complete=true]").waitFor();
    assert.equal(await row(page, TINY_FILE).getByTestId("fit-badge").getAttribute("data-fits"), "yes");
    assert.ok(await row(page, "README.md").getByTestId("no-fit").isVisible());
    // Keyboard: Enter on the row's Download button; focus stays in the row.
    await row(page, TINY_FILE).getByTestId("download-button").focus();
    await page.keyboard.press("Enter");
    assert.equal(await page.getByRole("link", { name: "Downloads", exact: true }).count(), 1, "the nav link's name is just Downloads");
    await row(page, TINY_FILE).getByTestId("downloaded").waitFor({ timeout: 60000 });
    const focusIn = await page.evaluate((p) => !!document.activeElement.closest(`[data-path="${p}"]`), TINY_FILE);
    assert.ok(focusIn, "focus left the file's row");
    await page.waitForFunction(() => /downloaded and verified/.test(document.querySelector("#announcer").textContent));
    const d = dl(page, TINY_FILE);
    await d.and(page.locator("[data-state=done]")).waitFor();
    assert.equal(await d.getByTestId("download-percent").textContent(), "100%");
    const localPath = await d.getByTestId("download-path").textContent();
    assert.ok(localPath.startsWith(cache), `${localPath} is not in the demo cache ${cache}`);
    const info = await (await fetch(`${hub}/api/models/${TINY}?blobs=true`)).json();
    const sib = info.siblings.find((s) => s.rfilename === TINY_FILE);
    assert.equal(createHash("sha256").update(readFileSync(localPath)).digest("hex"), sib.lfs.sha256);
    assert.ok(realpathSync(localPath).endsWith(`/blobs/${sib.lfs.sha256}`));
    const verify = spawnSync(bin, ["cache", "verify", TINY], { env: { ...env, HF_HUB_CACHE: cache }, encoding: "utf8" });
    assert.equal(verify.status, 0, `hfgate cache verify: ${verify.stdout}${verify.stderr}`);
    // Downloaded: path and Verify.
    await row(page, TINY_FILE).locator("summary").click();
    assert.equal(await row(page, TINY_FILE).getByTestId("local-path").textContent(), localPath);
    await row(page, TINY_FILE).getByTestId("verify").click();
    await page.getByTestId("verify-result").first().waitFor();
    assert.match(await page.getByTestId("verify-result").first().textContent(), /intact/);
    await shot(page, "05-downloaded", false);
    // After a reload the file is still Downloaded; asking again adds nothing.
    await page.reload();
    await row(page, TINY_FILE).getByTestId("downloaded").waitFor();
    const again = await api(page, "/api/downloads", { method: "POST", body: { repo: TINY, revision: info.sha, file: TINY_FILE } });
    assert.equal(again.status, 200);
    const list = await api(page, "/api/downloads");
    assert.equal(list.json.downloads.filter((x) => x.file === TINY_FILE).length, 1, "a second click added an entry");
    check();
    await ctx.close();
  });

  await t.test("a failed download says why, in plain words, and matches the bar (item 1)", async () => {
    const { ctx, page, check } = await newPage(browser);
    await page.goto(url);
    await faults(hub, [{ host: "cdn", status: 503 }]);
    await page.goto(`${base}models/${TINY}`);
    await page.locator("[data-testid=files][data-complete=true]").waitFor();
    await row(page, "tiny-llama-Q4_K_M.gguf").getByTestId("download-button").click();
    const d = dl(page, "tiny-llama-Q4_K_M.gguf");
    await d.and(page.locator("[data-state=failed]")).waitFor({ timeout: 60000 });
    const err = await d.getByTestId("download-error").textContent();
    assert.match(err, /^Download failed: .*503 Service Unavailable/);
    assert.doesNotMatch(err, /\d+ bytes/, "byte counts in the message can disagree with the bar");
    assert.match(await d.getByTestId("download-meta").textContent(), /^0 B of 3\.\d MB/);
    await page.waitForFunction(() => /failed/.test(document.querySelector("#announcer").textContent));
    // File names keep their case.
    assert.equal(await d.locator(".dl-file").evaluate((e) => getComputedStyle(e).textTransform), "none");
    assert.equal(await d.locator(".dl-file").textContent(), "tiny-llama-Q4_K_M.gguf");
    await row(page, "tiny-llama-Q4_K_M.gguf").getByRole("button", { name: /^Download/ }).getByText("Download", { exact: true }).waitFor();
    await shot(page, "11-failed", true);
    await faults(hub);
    await d.getByTestId("download-resume").click();
    await d.and(page.locator("[data-state=done]")).waitFor({ timeout: 60000 });
    check([/503 .*\/api\/downloads/]); // none: the failure is the transfer's
    await ctx.close();
  });

  await t.test("cancel a slow download and resume it", async () => {
    const { ctx, page, check } = await newPage(browser);
    const FILE = "tiny-llama-Q8_0.gguf";
    await page.goto(url);
    await faults(hub, [{ host: "cdn", bandwidthPerConn: 400000 }]);
    await page.goto(`${base}models/${TINY}`);
    await page.locator("[data-testid=files][data-complete=true]").waitFor();
    await row(page, FILE).getByTestId("download-button").click();
    const d = dl(page, FILE);
    await page.waitForFunction((f) => {
      const e = document.querySelector(`[data-testid=download][data-file="${f}"]`);
      return e && e.dataset.state === "running" && parseInt(e.querySelector("[data-testid=download-percent]").textContent) >= 10 &&
        / left/.test(e.textContent);
    }, FILE, { timeout: 30000 });
    assert.equal(await page.getByTestId("downloads-count").getAttribute("aria-hidden"), "true");
    await shot(page, "06a-downloading", false);
    await d.getByTestId("download-cancel").click();
    await d.and(page.locator("[data-state=canceled]")).waitFor();
    const kept = parseInt(await d.getByTestId("download-percent").textContent());
    assert.ok(kept > 0 && kept < 100, `canceled at ${kept}%`);
    await shot(page, "06b-canceled", false);
    await faults(hub);
    await d.getByTestId("download-resume").click();
    await d.and(page.locator("[data-state=done]")).waitFor({ timeout: 60000 });
    await page.goto(`${base}downloads`);
    await page.locator(`[data-testid=download][data-file="${FILE}"][data-state=done]`).waitFor();
    await shot(page, "06c-downloads-page", false);
    check();
    await ctx.close();
  });

  await t.test("sign out says what it signed out; narrow screens (item 8)", async () => {
    const { ctx, page, check } = await newPage(browser);
    await page.goto(url);
    await page.getByTestId("recommendation").first().waitFor({ timeout: 30000 });
    const opened = Date.now();
    await page.reload();
    await page.getByTestId("recommendation").first().waitFor();
    console.log(`# recommendations shown ${Date.now() - opened} ms after a reload of the home page`);
    await connect(page, hub, "alice", "approve");
    await page.getByTestId("sign-out").click();
    await page.getByTestId("connect").waitFor();
    assert.match(await page.getByTestId("page-notice").textContent(), /Signed out here and on the command line/);
    assert.equal((await api(page, "/auth/session")).json.signed_in, false);
    await shot(page, "06-signed-out", false);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}models/${TINY}`);
    await page.getByTestId("files").waitFor();
    await shot(page, "07-narrow", false);
    check();
    await ctx.close();
  });

  await t.test("gated: anonymous gets Connect there; bob sees no Download, the request link and what comes next (item 6)", async () => {
    const { ctx, page, check } = await newPage(browser);
    await page.goto(url);
    await page.goto(`${base}models/${GATED}`);
    const notice = page.getByTestId("gated-notice");
    await notice.waitFor();
    assert.ok(await notice.getByTestId("gated-connect").isVisible(), "no Connect button in the gated notice");
    await shot(page, "08a-gated-anonymous", false);
    await connect(page, hub, "bob", "approve", "gated-connect");
    await page.getByTestId("user-name").waitFor();
    assert.equal(new URL(page.url()).pathname, `/models/${GATED}`, "sign-in did not return to the model page");
    await notice.waitFor();
    assert.match(await notice.textContent(), /do not have access.*reload this page/s);
    assert.equal(await page.getByTestId("request-access").getAttribute("href"), `${hub}/${GATED}`);
    const buttons = page.getByTestId("download-button");
    assert.ok(await buttons.count() > 0);
    for (const b of await buttons.all()) assert.ok(await b.isDisabled(), "an enabled Download button on a model bob may not download");
    await shot(page, "08-gated-bob", false);
    await page.getByTestId("sign-out").click();
    await page.getByTestId("connect").waitFor();
    check();
    await ctx.close();
  });

  await t.test("a denied consent makes no session; Connect again returns to the page (item 8)", async () => {
    const { ctx, page } = await newPage(browser); // the denied callback answers 401 on purpose
    await page.goto(url);
    await page.goto(`${base}models/${TINY}`);
    await page.getByTestId("files").waitFor();
    await connect(page, hub, "alice", "deny");
    await page.getByTestId("signin-error").waitFor();
    assert.match(await page.getByTestId("error-message").textContent(), /denied/);
    assert.equal((await api(page, "/auth/session")).json.signed_in, false);
    await shot(page, "09-denied", false);
    await page.getByTestId("connect-again").click();
    await page.waitForURL((u) => u.href.startsWith(hub));
    await page.locator("input[name=user][value=alice]").check();
    await page.locator("button[name=decision][value=approve]").click();
    await page.getByTestId("user-name").waitFor();
    assert.equal(new URL(page.url()).pathname, `/models/${TINY}`, "Connect again did not return to the model page");
    await ctx.close();
  });
});
