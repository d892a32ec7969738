// "Pin to IPFS" in the web app (issue #17): with no node the page says how
// to start one; with a real Kubo node, a downloaded file is pinned from the
// model page and its CID shown with a copy button, on the model page and in
// the downloads list. Screenshots under e2e/screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isolatedEnv, startJSON, startKubo, tempHome } from "./lib.mjs";
import { launch, shot, newPage } from "./ui-helpers.mjs";

const TINY = "hubsim/tiny-llama-GGUF";
const FILE = "tiny-llama-Q4_K_M.gguf";
const ipfsBin = process.env.HFGATE_IPFS_BIN;
const row = (page) => page.locator(`[data-testid=file-row][data-path="${FILE}"]`);

// download opens the model page of the demo at url and downloads FILE.
async function download(page, url) {
  const base = url.split("?")[0];
  await page.goto(url);
  await page.goto(`${base}models/${TINY}`);
  await page.locator("[data-testid=files][data-complete=true]").waitFor();
  await row(page).getByTestId("download-button").click();
  await row(page).getByTestId("downloaded").waitFor({ timeout: 60000 });
}

test("web app: Pin to IPFS", async (t) => {
  if (!ipfsBin) {
    assert.notEqual(process.env.HFGATE_TEST_IPFS, "1", "HFGATE_TEST_IPFS=1 but HFGATE_IPFS_BIN is not set");
    t.skip("set HFGATE_IPFS_BIN to a Kubo ipfs binary (scripts/test builds one)");
    return;
  }
  const browser = await launch(t);

  await t.test("no node: the page says how to start one", async () => {
    const home = tempHome(t);
    const { info } = await startJSON(t, ["demo", "--no-open", "--json"], isolatedEnv(home, { IPFS_PATH: join(home, "no-node") }));
    const { ctx, page, check } = await newPage(browser);
    await download(page, info.url);
    const note = page.getByTestId("ipfs-unavailable");
    await note.waitFor();
    assert.match(await note.textContent(), /No IPFS node is running: start one with "ipfs daemon"/);
    assert.equal(await page.getByTestId("pin-ipfs").count(), 0);
    await shot(page, "17-ipfs-no-node", false);
    check();
    await ctx.close();
  });

  await t.test("a node runs: pin, then the CID with a copy button", async () => {
    const home = tempHome(t);
    const ipfsPath = await startKubo(t, home);
    const { info } = await startJSON(t, ["demo", "--no-open", "--json"], isolatedEnv(home, { IPFS_PATH: ipfsPath }));
    const { ctx, page, check } = await newPage(browser, { permissions: ["clipboard-read", "clipboard-write"] });
    await download(page, info.url);
    await row(page).getByTestId("pin-ipfs").click();
    const cid = row(page).getByTestId("cid");
    await cid.waitFor({ timeout: 30000 });
    const got = await cid.textContent();
    const localPath = await row(page).getByTestId("local-path").textContent();
    const env = { ...process.env, IPFS_PATH: ipfsPath };
    const want = spawnSync(ipfsBin, ["add", "--only-hash", "--quiet", "--cid-version=1", "--raw-leaves"],
      { env, input: readFileSync(localPath), encoding: "utf8" }).stdout.trim();
    assert.equal(got, want, "the CID shown is not what ipfs add --only-hash computes for the file");
    const pins = spawnSync(ipfsBin, ["pin", "ls", "--type=recursive", "--quiet"], { env, encoding: "utf8" }).stdout;
    assert.ok(pins.includes(got), `ipfs pin ls does not list ${got}`);
    await row(page).getByTestId("copy-cid").click();
    await row(page).getByTestId("copy-cid").getByText("Copied").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), got);
    await shot(page, "18-ipfs-pinned", false);
    // The downloads list shows it too, after a reload.
    await page.goto(`${info.url.split("?")[0]}downloads`);
    const item = page.locator(`[data-testid=download][data-file="${FILE}"]`);
    await item.getByTestId("cid").waitFor();
    assert.equal(await item.getByTestId("cid").textContent(), got);
    await shot(page, "19-ipfs-downloads-list", false);
    check();
    await ctx.close();
  });
});
