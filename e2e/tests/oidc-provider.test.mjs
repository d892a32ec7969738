// hfgate login against a certified OpenID provider no one here wrote: npm
// oidc-provider as a generic issuer. The test plays the browser with fetch
// (and a hand-kept cookie jar) through oidc-provider's development login and
// consent pages, starting from the URL the real binary prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Provider from "oidc-provider";
import { bin, tempHome, isolatedEnv, runHfgate as run } from "./lib.mjs";

const CLIENT_ID = "hfgate-e2e";

// startProvider serves oidc-provider on 127.0.0.1:0 with one native public
// client that must use PKCE and may redirect to http://127.0.0.1:ANY/callback.
async function startProvider(t, { accessTokenTTL = 3600, refresh = false } = {}) {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      application_type: "native",
      token_endpoint_auth_method: "none",
      grant_types: refresh ? ["authorization_code", "refresh_token"] : ["authorization_code"],
      response_types: ["code"],
      redirect_uris: ["http://127.0.0.1/callback"],
    }],
    pkce: { required: () => true },
    ttl: { AccessToken: accessTokenTTL, IdToken: 3600, RefreshToken: 86400, Interaction: 600, Session: 3600, Grant: 86400 },
    features: { devInteractions: { enabled: true } },
    claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email"] },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, preferred_username: sub, name: "Dana Example", email: `${sub}@example.org` };
        },
      };
    },
  });
  server.on("request", provider.callback());
  t.after(() => server.close());
  return issuer;
}

// browser is a minimal cookie-keeping client that follows redirects by hand
// and stops at the first one that leaves the issuer.
function browser(issuer) {
  const jar = new Map();
  async function request(url, init = {}) {
    const headers = { ...(init.headers || {}) };
    if (url.startsWith(issuer) && jar.size) {
      headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }
  // go GETs url and follows redirects within the issuer; it returns the
  // final response and the URL it came from, or the first foreign Location.
  async function go(url, init) {
    let res = await request(url, init);
    while (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get("location"), url).href;
      if (!next.startsWith(issuer)) return { leave: next };
      url = next;
      res = await request(url);
    }
    return { res, url, body: await res.text() };
  }
  return { go };
}

// submit posts the page's first form with the given fields.
async function submit(b, page, fields) {
  const action = page.body.match(/<form[^>]*action="([^"]+)"/)?.[1];
  assert.ok(action, `no form on ${page.url}:\n${page.body.slice(0, 500)}`);
  const prompt = page.body.match(/name="prompt" value="([^"]+)"/)?.[1];
  const form = new URLSearchParams({ prompt, ...fields });
  return b.go(new URL(action.replaceAll("&amp;", "&"), page.url).href, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
}

// waitForURL resolves with the first http URL the child prints on stderr.
function waitForURL(child) {
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stderr.on("data", (d) => {
      buf += d;
      const m = buf.match(/https?:\/\/\S+\/auth\?\S+/);
      if (m) resolve(m[0]);
    });
    child.on("exit", (code) => reject(new Error(`hfgate login exited ${code} before printing a URL:\n${buf}`)));
  });
}

// signIn runs `hfgate login --no-browser` against issuer and plays the
// browser through the development login and consent pages as "dana".
async function signIn(t, issuer, env, extraArgs = []) {
  const login = spawn(bin, ["login", "--no-browser", "--endpoint", issuer, ...extraArgs], { env, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => login.kill());
  let stdout = "", stderr = "";
  login.stdout.on("data", (d) => (stdout += d));
  login.stderr.on("data", (d) => (stderr += d));
  const exited = once(login, "exit");
  const authURL = await waitForURL(login);
  const params = new URL(authURL).searchParams;

  const b = browser(issuer);
  let page = await b.go(authURL);
  assert.match(page.body, /name="login"/, "the login page is shown");
  page = await submit(b, page, { login: "dana", password: "any" });
  if (!page.leave) {
    assert.match(page.body, /name="prompt" value="consent"/, "the consent page is shown");
    page = await submit(b, page, {});
  }
  assert.ok(page.leave, "the provider redirects back to hfgate");
  const callback = new URL(page.leave);
  assert.equal(callback.origin + callback.pathname, params.get("redirect_uri"));
  assert.ok(callback.searchParams.get("code"), "the redirect has a code");
  const res = await fetch(callback);
  assert.equal(res.status, 200, "hfgate's loopback page accepts the callback");

  const [code] = await exited;
  assert.equal(code, 0, `login failed:\n${stderr}`);
  assert.ok(!(stdout + stderr).includes(callback.searchParams.get("code")), "the code is never printed");
  return { params, stdout, stderr };
}

// storedCredential reads the fallback file (there is no D-Bus session in
// isolatedEnv, so no keyring).
function storedCredential(home, issuer) {
  const entries = JSON.parse(readFileSync(join(home, "config", "hfgate", "credentials.json"), "utf8"));
  return entries[issuer];
}

test("hfgate login against oidc-provider as a generic issuer", async (t) => {
  const issuer = await startProvider(t);
  const env = isolatedEnv(tempHome(t), { HUGGINGFACE_CLIENT_ID: CLIENT_ID });

  const { params, stdout, stderr } = await signIn(t, issuer, env);
  assert.equal(params.get("code_challenge_method"), "S256");
  assert.equal(params.get("client_id"), CLIENT_ID);
  assert.match(params.get("redirect_uri"), /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  assert.ok(params.get("state") && params.get("nonce"), "state and nonce are sent");
  assert.match(stdout, new RegExp(`Signed in as dana to ${issuer} \\(stored in (keyring|file .*)\\)`));

  const who = await run(["whoami", "--json", "--endpoint", issuer], env);
  assert.equal(who.code, 0, who.stderr);
  const info = JSON.parse(who.stdout);
  assert.equal(info.username, "dana");
  assert.equal(info.fullname, "Dana Example");
  assert.equal(info.profile_source, "userinfo");
  assert.equal(info.token.kind, "oauth");

  const tok = await run(["token", "--endpoint", issuer], env);
  assert.equal(tok.code, 0, tok.stderr);
  const accessToken = tok.stdout.trim();
  assert.ok(accessToken.length > 20, "token prints an access token");
  const ui = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  assert.equal(ui.status, 200, "the printed token works at the issuer's userinfo endpoint");
  assert.equal((await ui.json()).sub, "dana");
  for (const out of [stdout, stderr, who.stdout, who.stderr, tok.stderr]) {
    assert.ok(!out.includes(accessToken), "the access token appears only on token's stdout");
  }

  const device = await run(["login", "--device", "--no-browser", "--endpoint", issuer], env);
  assert.equal(device.code, 2, device.stderr);
  assert.match(device.stderr, /does not offer device sign-in: sign in with a browser instead/);

  const out = await run(["logout", "--endpoint", issuer], env);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /Removed the /);
  const after = await run(["token", "--endpoint", issuer], env);
  assert.equal(after.code, 3, "signed out: token fails with exit status 3");
});

// oidc-provider issues refresh tokens for offline_access (which needs
// prompt=consent, sent by hfgate) and rotates them for public clients. Its
// access tokens live 2 minutes here, within hfgate's 5-minute leeway, so
// every `hfgate token` renews.
test("hfgate token renews with a rotating refresh token from oidc-provider", async (t) => {
  const issuer = await startProvider(t, { accessTokenTTL: 120, refresh: true });
  const home = tempHome(t);
  const env = isolatedEnv(home, { HUGGINGFACE_CLIENT_ID: CLIENT_ID });

  const { params } = await signIn(t, issuer, env, ["--scopes", "openid profile offline_access"]);
  assert.equal(params.get("prompt"), "consent");
  const first = storedCredential(home, issuer);
  assert.ok(first.refresh_token, "a refresh token is stored");

  const tok = await run(["token", "--endpoint", issuer], env);
  assert.equal(tok.code, 0, tok.stderr);
  const second = storedCredential(home, issuer);
  assert.equal(tok.stdout.trim(), second.access_token, "token prints the renewed, stored access token");
  assert.notEqual(second.access_token, first.access_token, "the access token was renewed");
  assert.notEqual(second.refresh_token, first.refresh_token, "the refresh token was rotated");

  const who = await run(["whoami", "--json", "--endpoint", issuer], env);
  assert.equal(who.code, 0, who.stderr);
  assert.equal(JSON.parse(who.stdout).username, "dana");

  // Spending the old refresh token again is caught by oidc-provider's reuse
  // detection, which revokes the whole grant: hfgate then says signed out.
  const reuse = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: first.refresh_token, client_id: CLIENT_ID }),
  });
  assert.equal(reuse.status, 400);
  assert.equal((await reuse.json()).error, "invalid_grant", "the old refresh token is dead");
  const after = await run(["token", "--endpoint", issuer], env);
  assert.equal(after.code, 3, after.stderr);
  assert.match(after.stderr, /signed out .*run hfgate login/);
  assert.equal(after.stdout, "");

  for (const secret of [first.access_token, first.refresh_token, second.refresh_token]) {
    assert.ok(!(tok.stderr + who.stdout + who.stderr + after.stderr).includes(secret), "no token is printed");
  }
});
