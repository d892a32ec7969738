// hfgate web app: plain JavaScript, no build step. Every value from the
// server is put into the page with textContent or attributes, never as
// HTML. State-changing requests are same-origin POSTs (the server checks
// their origin).
"use strict";

(() => {
  const $ = (sel, root = document) => root.querySelector(sel);

  // el builds an element: el("a", {href: "/", class: "x", text: "hi"}, child...).
  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k === "testid") e.dataset.testid = v;
      else if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
    return e;
  }

  // put replaces the children of parent, skipping null, undefined and false
  // (replaceChildren itself would print them as text).
  function put(parent, ...kids) {
    parent.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
  }

  // visibleTags drops machine tags (license:, arxiv:, base_model:, ...) and
  // the ones shown elsewhere.
  const visibleTags = (m, n) => (m.tags || []).filter((t) => !t.includes(":") && t !== m.task && t !== m.library).slice(0, n);

  // The key of this launch, kept by the launch page (launch.js) where only
  // pages of this origin, port included, can read it. Every API call sends
  // it: the owner cookie alone, which browsers also send to other ports,
  // gets nothing.
  const KEY = localStorage.getItem("hfgate-key") || "";

  // api calls the JSON API and throws an Error with the server's message.
  async function api(path, opts = {}) {
    const init = { headers: { Accept: "application/json", "X-Hfgate-Key": KEY }, credentials: "same-origin", ...opts };
    if (opts.json !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.json);
    }
    let resp;
    try {
      resp = await fetch(path, init);
    } catch {
      throw new Error("hfgate is not reachable. Is it still running?");
    }
    if (resp.status === 204) return null;
    let body = null;
    try {
      body = await resp.json();
    } catch {
      /* not JSON */
    }
    if (!resp.ok) {
      const e = new Error((body && body.error && body.error.message) || `request failed (${resp.status})`);
      e.status = resp.status;
      throw e;
    }
    return body;
  }

  // stream calls an API that answers JSON lines and hands each to onLine.
  async function stream(path, onLine) {
    const resp = await fetch(path, { headers: { Accept: "application/json", "X-Hfgate-Key": KEY }, credentials: "same-origin" });
    if (!resp.ok) {
      let body = null;
      try { body = await resp.json(); } catch { /* not JSON */ }
      throw new Error((body && body.error && body.error.message) || `request failed (${resp.status})`);
    }
    const reader = resp.body.getReader();
    const dec = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) onLine(JSON.parse(line));
      }
      if (done) break;
    }
  }

  // sentence starts a server message with a capital, unless it starts with
  // a name (a file or repo, which keeps its case).
  function sentence(msg) {
    if (!msg) return "";
    return /^[a-z]+[ ,:;]/.test(msg) ? msg[0].toUpperCase() + msg.slice(1) : msg;
  }

  const units = ["B", "kB", "MB", "GB", "TB"];
  function fmtBytes(n) {
    if (!n || n < 0) return "0 B";
    let i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
  }
  function fmtCount(n) {
    if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
    if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
    return String(n || 0);
  }
  function fmtAge(iso) {
    if (!iso) return "";
    const s = (Date.now() - new Date(iso).getTime()) / 1000;
    if (s < 90) return "just now";
    const steps = [[60, "minute"], [3600, "hour"], [86400, "day"], [2592000, "month"], [31536000, "year"]];
    let [div, name] = steps[0];
    for (const st of steps) if (s >= st[0]) [div, name] = st;
    const n = Math.round(s / div);
    return `${n} ${name}${n === 1 ? "" : "s"} ago`;
  }
  function fmtDuration(sec) {
    if (!sec || !isFinite(sec)) return "";
    if (sec < 60) return `${Math.ceil(sec)} s`;
    if (sec < 3600) return `${Math.floor(sec / 60)} min ${Math.round(sec % 60)} s`;
    return `${Math.floor(sec / 3600)} h ${Math.round((sec % 3600) / 60)} min`;
  }
  const fmtInt = (n) => new Intl.NumberFormat("en-US").format(n || 0);
  // shardBase is a split model's name without "-00001-of-00003".
  const shardBase = (p) => p.replace(/-0*1-of-0*\d+(\.gguf)$/i, "$1");
  // fileLabel names an entry: "model.gguf", or "model.gguf (3 parts)".
  const fileLabel = (f) => (f.shards && f.shards.length > 1 ? `${shardBase(f.path)} (${f.shards.length} parts)` : f.path);
  function fmtParams(n) {
    if (!n) return "";
    return n >= 1e9 ? `${(n / 1e9).toFixed(1)}B params` : `${Math.round(n / 1e6)}M params`;
  }


  // showLoading and showError fill box with a status or an error with a
  // retry button.
  function showLoading(box, text) {
    put(box, el("p", { class: "status loading", role: "status" }, el("span", { class: "spinner", "aria-hidden": "true" }), text));
  }
  function showError(box, err, retry) {
    put(box, el("div", { class: "status error", role: "alert", testid: "error" },
      el("p", { text: sentence(err.message || String(err)) }),
      retry ? el("button", { type: "button", class: "btn", text: "Try again", on: { click: retry } }) : null));
  }

  // announce tells screen readers.
  function announce(text) {
    const r = $("#announcer");
    r.textContent = "";
    setTimeout(() => { r.textContent = text; }, 50);
  }

  // notice shows a message at the top of the page.
  function notice(text) {
    const bar = $("[data-testid=page-notice]");
    bar.textContent = text;
    bar.hidden = !text;
  }

  // keepFocus runs render, which rebuilds part of host; if focus was in
  // host, it goes to host's first control afterwards (or host itself), not
  // to the page's start.
  function keepFocus(host, render) {
    const had = host.contains(document.activeElement);
    render();
    if (had && !host.contains(document.activeElement)) {
      const c = host.querySelector("button:not([disabled]), a[href], [tabindex]") || host;
      c.focus();
    }
  }

  // connectForm is "Connect Hugging Face": a form that starts the sign-in
  // with this launch's key (a navigation cannot send a header).
  function connectForm(label, testid, cls = "btn primary") {
    const form = el("form", { method: "post", action: "/auth/oauth/authorize/huggingface", class: "inline", "data-connect": "" },
      el("input", { type: "hidden", name: "return_to", value: document.body.dataset.returnTo || "/" }),
      el("button", { type: "submit", class: cls, testid, text: label }));
    return form;
  }
  // Every sign-in form gets the key when it is sent.
  document.addEventListener("submit", (e) => {
    const f = e.target;
    if (!f.matches("[data-connect]")) return;
    let k = f.querySelector("input[name=hfgate_key]");
    if (!k) { k = el("input", { type: "hidden", name: "hfgate_key" }); f.append(k); }
    k.value = KEY;
  });

  // ---- Account ----

  let account = null; // GET /auth/session

  async function loadAccount() {
    const box = $("[data-account]");
    try {
      account = await api("/auth/session");
    } catch (err) {
      put(box, el("span", { class: "muted small", role: "alert", testid: "account-error", text: sentence(err.message) }));
      account = { signed_in: false, can_sign_in: false };
      return account;
    }
    renderAccount(box);
    return account;
  }

  function renderAccount(box) {
    const a = account;
    if (a.signed_in) {
      const name = a.name || a.username;
      const initial = el("span", { class: "avatar initial", "aria-hidden": "true", testid: "avatar", text: (name || "?")[0] });
      let avatar = initial;
      if (a.avatar_url) {
        avatar = el("img", { class: "avatar", src: a.avatar_url, alt: "", width: "32", height: "32", testid: "avatar" });
        avatar.addEventListener("error", () => avatar.replaceWith(initial));
      }
      put(box,
        el("a", { class: "user", href: a.profile_url, target: "_blank", rel: "noopener noreferrer", title: "Your Hugging Face profile" },
          avatar,
          el("span", { class: "user-text" }, el("span", { class: "user-name", testid: "user-name", text: name }), el("span", { class: "user-handle", text: `@${a.username}` }))),
        el("button", { type: "button", class: "btn ghost", testid: "sign-out", text: "Sign out", title: "Signs out here and on the command line", on: { click: signOut } }));
      return;
    }
    const cli = a.cli;
    put(box,
      cli && cli.username ? el("span", { class: "muted small cli-account", testid: "cli-account",
        title: "The Hugging Face account the command line (hfgate whoami) uses",
        text: cli.source ? `Command line: @${cli.username}, token from ${cli.source}` : `Command line: @${cli.username}` }) : null,
      connectForm("Connect Hugging Face", "connect"));
  }

  async function signOut() {
    try {
      await api("/auth/logout", { method: "POST" });
    } catch (err) {
      notice(sentence(err.message));
      return;
    }
    await loadAccount();
    const cli = account.cli;
    const text = cli && cli.username
      ? `Signed out here. The command line still uses @${cli.username}${cli.source ? ` (the token in ${cli.source})` : ""}.`
      : "Signed out here and on the command line: hfgate whoami now says you are not signed in.";
    notice(text);
    announce(text);
    const focus = $("[data-testid=connect]");
    if (focus) focus.focus();
    document.dispatchEvent(new Event("hfgate:account"));
  }

  // ---- Search page ----

  function searchPage() {
    const form = $("#search-form");
    const results = $("#results");
    const status = $("#results-status");
    const more = $("#load-more");
    let seq = 0;
    let next = "";
    let params = null;

    // Fill the form from the URL so that links and reloads keep the search.
    const url = new URLSearchParams(location.search);
    for (const [k, v] of url) {
      const f = form.elements[k];
      if (!f) continue;
      if (f.type === "checkbox") f.checked = v === "1" || v === "true";
      else f.value = v;
    }

    function formParams() {
      const p = new URLSearchParams();
      for (const f of form.elements) {
        if (!f.name) continue;
        if (f.type === "checkbox") { if (f.checked) p.set(f.name, "1"); }
        else if (f.value.trim() !== "") p.set(f.name, f.value.trim());
      }
      return p;
    }

    function renderCard(m) {
      const [owner, name] = m.id.split("/");
      const tags = visibleTags(m, 6);
      return el("li", { class: "card", testid: "model-card", "data-id": m.id },
        el("h3", {}, el("a", { href: `/models/${m.id}`, class: "card-title" }, el("span", { class: "owner", text: `${owner}/` }), name)),
        el("p", { class: "card-sub" },
          m.task ? el("span", { class: "pill", text: m.task, title: "Task" }) : null,
          m.library ? el("span", { class: "pill", text: m.library, title: "Library" }) : null,
          m.parameters ? el("span", { class: "pill", text: fmtParams(m.parameters), title: "Parameters of the model" }) : null,
          m.gguf_size ? el("span", { class: "pill", testid: "gguf-pill", text: `GGUF ${fmtBytes(m.gguf_size)}`,
            title: "Total size of this repository's GGUF files, all quantizations together; you download one of them" }) : null,
          m.gated ? el("span", { class: "pill warn", text: "Gated", title: "Its authors decide who may download it" }) : null,
          m.private ? el("span", { class: "pill dark", text: "Private" }) : null),
        el("ul", { class: "stats", "aria-label": "Statistics" },
          el("li", { title: "Downloads (30 days)" }, el("span", { class: "ico", "aria-hidden": "true", text: "↓" }), `${fmtCount(m.downloads)} downloads`),
          el("li", { title: "Likes" }, el("span", { class: "ico", "aria-hidden": "true", text: "♥" }), `${fmtCount(m.likes)} likes`),
          m.last_modified ? el("li", { title: new Date(m.last_modified).toLocaleString() }, `Updated ${fmtAge(m.last_modified)}`) : null,
          el("li", { class: "author", text: `by ${m.author}` })),
        tags.length ? el("ul", { class: "tags", "aria-label": "Tags" }, tags.map((t) => el("li", { text: t }))) : null);
    }

    async function run(append) {
      const my = ++seq;
      if (!append) {
        params = formParams();
        next = "";
        history.replaceState(null, "", params.toString() ? `/?${params}` : "/");
        put(results);
        showLoading(status, "Searching…");
        results.setAttribute("aria-busy", "true");
      } else {
        more.disabled = true;
        more.textContent = "Loading…";
      }
      const q = new URLSearchParams(params);
      if (append && next) q.set("cursor", next);
      try {
        const data = await api(`/api/search?${q}`);
        if (my !== seq) return;
        results.append(...data.models.map(renderCard));
        next = data.next || "";
        const n = results.children.length;
        put(status, el("p", { class: "status", testid: "results-count", text: n === 0 ? "No models match. Try fewer filters." : `${fmtInt(n)} model${n === 1 ? "" : "s"}` }));
      } catch (err) {
        if (my !== seq) return;
        showError(status, err, () => run(append));
      } finally {
        if (my === seq) {
          results.removeAttribute("aria-busy");
          more.hidden = !next;
          more.disabled = false;
          more.textContent = "Load more";
        }
      }
    }

    form.addEventListener("submit", (e) => { e.preventDefault(); run(false); });
    for (const f of form.querySelectorAll("select, input[type=checkbox]")) f.addEventListener("change", () => run(false));
    more.addEventListener("click", () => run(true));
    run(false);
    recommendations();
  }

  async function recommendations() {
    const box = $("#recommendations");
    const budget = $("#budget");
    showLoading(box, "Loading recommendations…");
    try {
      const data = await api("/api/recommendations");
      if (data.budget && data.budget.usable) {
        budget.textContent = `A model may use up to ${fmtBytes(data.budget.usable)} here (${data.budget.source}).`;
      }
      if (!data.picks.length) {
        put(box, el("p", { class: "muted", text: "No recommendations for this machine yet." }));
        return;
      }
      put(box, el("ol", { class: "recs" }, data.picks.map((r, i) => {
        const f = r.file;
        const fits = f.fits === "yes";
        const advice = fits
          ? `${i === 0 ? "Best fit: the largest model that runs here. " : ""}Needs about ${fmtBytes(f.memory ? f.memory.total : f.size)} of memory with ${fmtInt(f.memory ? f.memory.context_length : 0)} tokens of context.`
          : f.fits === "no" ? `Too big for this machine: needs about ${fmtBytes(f.memory ? f.memory.total : f.size)}.` : "Whether it fits is not known: this machine's memory is unknown.";
        const li = el("li", { class: "rec", testid: "recommendation" },
          el("a", { href: `/models/${r.repo}`, class: "rec-repo", text: r.repo }),
          el("span", { class: "rec-file", testid: "recommendation-file", text: fileLabel(f) }),
          el("span", { class: "rec-meta" },
            f.quantization ? el("span", { class: "pill", text: f.quantization, title: "Quantization: how the weights are stored" }) : null,
            f.parameters ? el("span", { text: fmtParams(f.parameters) }) : null,
            el("span", { text: `${fmtBytes(f.size)} download` }),
            el("span", { text: `${fmtInt(r.downloads)} downloads` })),
          el("span", { class: "muted small rec-reason", testid: "recommendation-reason", text: advice }));
        li.append(el("div", { class: "rec-actions" }, downloadButton(r.repo, f, li, `Download ${fmtBytes(f.size)}`, "recommendation-download")));
        return li;
      })));
    } catch (err) {
      showError(box, err, recommendations);
    }
  }

  // downloadButton starts the download of entry (one file, or every part of
  // a split model) of repo; progress shows in the downloads panel, and
  // failures inside host. The button keeps focus and says what happened.
  function downloadButton(repo, entry, host, label = "Download", testid = "download-button", revision = "") {
    const files = entry.shards && entry.shards.length ? entry.shards : [entry.path];
    const b = el("button", { type: "button", class: "btn small", testid, "aria-label": `Download ${fileLabel(entry)}`, text: label });
    b.addEventListener("click", async () => {
      if (b.getAttribute("aria-disabled") === "true") return;
      b.setAttribute("aria-disabled", "true");
      b.textContent = "Starting…";
      host.querySelector(".inline-error")?.remove();
      try {
        const t = await api("/api/downloads", { json: files.length > 1 ? { repo, revision, files } : { repo, revision, file: files[0] } });
        b.textContent = t.state === "done" ? "Downloaded" : "Downloading…";
        announce(t.state === "done" ? `${fileLabel(entry)} is already downloaded` : `Downloading ${fileLabel(entry)}`);
        downloads.refresh();
      } catch (err) {
        b.removeAttribute("aria-disabled");
        b.textContent = label;
        announce(`Could not start ${fileLabel(entry)}: ${err.message}`);
        host.append(el("p", { class: "inline-error", role: "alert", text: sentence(err.message) }));
      }
    });
    return b;
  }

  // ---- IPFS ----

  let ipfsStatus = null;
  async function ipfs() {
    if (!ipfsStatus) ipfsStatus = api("/api/ipfs").catch((err) => ({ available: false, message: err.message }));
    return ipfsStatus;
  }

  // ipfsNote says once, above the first downloaded file, that no node runs
  // and how to start one.
  function ipfsNote(st) {
    if ($("[data-testid=ipfs-unavailable]")) return;
    const host = $("[data-ipfs-note]");
    if (host) put(host, el("p", { class: "muted small ipfs-note", testid: "ipfs-unavailable", text: `Pin to IPFS: ${st.message || "no IPFS node is reachable."}` }));
  }

  // ipfsControl is what a downloaded file shows for IPFS: its CID with a
  // copy button, a "Pin to IPFS" button, or how to start a node.
  function ipfsControl(repo, revision, file, cid) {
    const box = el("div", { class: "ipfs", testid: "ipfs" });
    const showCID = (c) => {
      const copy = el("button", { type: "button", class: "btn small ghost", testid: "copy-cid", "aria-label": `Copy the CID of ${file}`, text: "Copy" });
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(c);
          copy.textContent = "Copied";
          announce("CID copied");
        } catch {
          const r = document.createRange();
          r.selectNodeContents(code);
          getSelection().removeAllRanges();
          getSelection().addRange(r);
          copy.textContent = "Selected: press Ctrl+C";
        }
      });
      const code = el("code", { testid: "cid", text: c });
      keepFocus(box, () => put(box, el("span", { class: "small" }, "IPFS CID ", code), copy));
    };
    if (cid) { showCID(cid); return box; }
    ipfs().then((st) => {
      if (!st.available) {
        ipfsNote(st); // said once per page, not on every file
        return;
      }
      const pin = el("button", { type: "button", class: "btn small", testid: "pin-ipfs", "aria-label": `Pin ${file} to IPFS`, text: "Pin to IPFS",
        title: `Hand the verified file to your IPFS node (Kubo ${st.version}) so it can be shared by its CID` });
      pin.addEventListener("click", async () => {
        pin.setAttribute("aria-disabled", "true");
        pin.textContent = "Pinning…";
        try {
          const res = await api("/api/ipfs/pins", { json: { repo, revision, file } });
          showCID(res.cid);
          announce(`${file} pinned to IPFS`);
        } catch (err) {
          pin.removeAttribute("aria-disabled");
          pin.textContent = "Pin to IPFS";
          box.querySelector(".inline-error")?.remove();
          box.append(el("p", { class: "inline-error", role: "alert", text: sentence(err.message) }));
        }
      });
      put(box, pin);
    });
    return box;
  }

  // verifyButton hashes a downloaded file again.
  function verifyButton(repo, revision, file, host) {
    const b = el("button", { type: "button", class: "btn small ghost", testid: "verify", "aria-label": `Verify ${file}`, text: "Verify" });
    b.addEventListener("click", async () => {
      b.textContent = "Verifying…";
      host.querySelector(".verify-result")?.remove();
      try {
        const res = await api("/api/cache/verify", { json: { repo, revision, file } });
        host.append(el("p", { class: `verify-result small ${res.ok ? "ok" : "bad"}`, role: "status", testid: "verify-result", text: sentence(res.message) }));
        announce(res.message);
      } catch (err) {
        host.append(el("p", { class: "verify-result small bad", role: "alert", testid: "verify-result", text: sentence(err.message) }));
      } finally {
        b.textContent = "Verify";
      }
    });
    return b;
  }

  // ---- Model page ----

  function modelPage() {
    const root = $("#model");
    const repo = root.dataset.repo;
    const panel = $("[data-downloads]");
    if (panel) panel.dataset.repo = repo;

    async function load() {
      root.setAttribute("aria-busy", "true");
      const box = el("div");
      put(root, el("h1", { class: "model-title", text: repo }), box);
      showLoading(box, "Loading model details…");
      try {
        render(await api(`/api/models/${repo}`));
      } catch (err) {
        showError(box, err, load);
      } finally {
        root.removeAttribute("aria-busy");
      }
    }

    // canDownload: a gated repo's files only with access.
    const canDownload = (m) => !m.gating || m.access === "granted";

    function gatedNotice(m) {
      if (!m.gating) return null;
      const link = el("a", { href: m.request_access_url, target: "_blank", rel: "noopener noreferrer", class: "btn", testid: "request-access", text: "Request access on Hugging Face" });
      const next = m.gating === "manual"
        ? "The authors review each request; once they grant it, reload this page and the files can be downloaded."
        : "Access is granted as soon as you accept the conditions there; then reload this page.";
      switch (m.access) {
        case "granted":
          return el("div", { class: "notice ok", role: "note", testid: "gated-notice" }, el("p", { text: "This model is gated, and your account has been granted access." }));
        case "not_granted":
          return el("div", { class: "notice warn", role: "note", testid: "gated-notice" },
            el("p", {}, el("strong", { text: "You do not have access to this model's files yet. " }), `Its authors decide who may download it. ${next}`), link);
        case "sign_in":
          return el("div", { class: "notice warn", role: "note", testid: "gated-notice" },
            el("p", {}, el("strong", { text: "This model is gated. " }), "Connect your Hugging Face account to see whether you have access; without it you can request access on Hugging Face."),
            el("div", { class: "notice-actions" }, connectForm("Connect Hugging Face", "gated-connect"), link));
        default:
          return el("div", { class: "notice warn", role: "note", testid: "gated-notice" }, el("p", { text: "This model is gated: its authors decide who may download it. Whether you have access could not be checked just now." }), link);
      }
    }

    function cardMeta(m) {
      const rows = [];
      const add = (k, v) => { if (v) rows.push(el("dt", { text: k }), el("dd", {}, v)); };
      const c = m.card || {};
      const str = (v) => (Array.isArray(v) ? v.join(", ") : typeof v === "string" ? v : "");
      add("Task", m.task);
      add("Library", m.library);
      add("License", str(c.license));
      add("Base model", str(c.base_model));
      add("Languages", str(c.language));
      add("Updated", m.last_modified ? `${fmtAge(m.last_modified)} (${new Date(m.last_modified).toLocaleDateString()})` : "");
      add("Commit", m.sha ? el("code", { text: m.sha.slice(0, 12) }) : "");
      add("On the Hub", el("a", { href: m.url, target: "_blank", rel: "noopener noreferrer", text: m.url }));
      return el("dl", { class: "meta" }, rows);
    }

    // fitCell judges a model file; other files get a dash; a GGUF file whose
    // header is still being read says so.
    function fitCell(f, pending) {
      if (!f.gguf) {
        return el("span", { class: "muted", title: "No estimate: only GGUF models are judged", testid: "no-fit" },
          el("span", { "aria-hidden": "true", text: "—" }), el("span", { class: "sr-only", text: "Not judged: not a GGUF model" }));
      }
      if (pending) return el("span", { class: "muted small", testid: "fit-pending", text: "Reading header…" });
      const t = { yes: ["fits", "Fits this machine"], no: ["nofit", "Too big for this machine"] }[f.fits] || ["unknown", "Unknown"];
      return el("span", { class: `badge ${t[0]}`, testid: "fit-badge", "data-fits": f.fits, text: t[1], title: f.problem || null });
    }

    function render(m) {
      const [owner, name] = m.id.split("/");
      const head = el("header", { class: "model-head" },
        el("h1", { class: "model-title" }, el("span", { class: "owner", text: `${owner}/` }), name),
        el("p", { class: "card-sub" },
          m.private ? el("span", { class: "pill dark", testid: "private-badge", text: "Private" }) : null,
          m.gating ? el("span", { class: "pill warn", testid: "gated-badge", text: m.gating === "manual" ? "Gated (manual approval)" : "Gated" }) : null,
          m.task ? el("span", { class: "pill", text: m.task }) : null,
          m.parameters ? el("span", { class: "pill", text: fmtParams(m.parameters) }) : null),
        el("ul", { class: "stats" },
          el("li", {}, `${fmtInt(m.downloads)} downloads`),
          el("li", {}, `${fmtInt(m.likes)} likes`),
          el("li", { text: `by ${m.author}` })));

      const files = m.files || [];
      const byPath = new Map(files.map((f) => [f.path, f]));
      const pending = new Set(files.filter((f) => f.gguf && f.fits === "unknown").map((f) => f.path));
      const rows = new Map();
      const tbody = el("tbody");
      let applyFilter = () => {}; // set once the filters exist
      const allowed = canDownload(m);

      function actions(f, row) {
        const cell = el("div", { class: "row-actions" });
        if (f.local_path) {
          const where = el("div", { class: "downloaded" },
            el("span", { class: "badge fits", testid: "downloaded", text: "Downloaded" }),
            el("details", { class: "small" }, el("summary", { text: "Where" }), el("code", { testid: "local-path", text: f.local_path })));
          put(cell, where, el("div", { class: "row-buttons" }, verifyButton(m.id, m.sha, f.path, cell),
            f.shards && f.shards.length > 1 ? null : ipfsControl(m.id, m.sha, f.path, f.cid)));
        } else if (!allowed) {
          put(cell, el("button", { type: "button", class: "btn small", disabled: true, testid: "download-button",
            "aria-label": `Download ${fileLabel(f)} (no access)`, title: "You do not have access to this gated model's files", text: "Download" }));
        } else {
          put(cell, downloadButton(m.id, f, row.querySelector("th"), "Download", "download-button", m.sha));
        }
        return cell;
      }

      function row(f) {
        const tr = el("tr", { testid: "file-row", "data-path": f.path, tabindex: "-1" });
        fillRow(tr, f);
        rows.set(f.path, tr);
        return tr;
      }
      function fillRow(tr, f) {
        const memTitle = f.memory ? `weights ${fmtBytes(f.memory.weights)} + KV cache ${fmtBytes(f.memory.kv_cache)} + compute ${fmtBytes(f.memory.compute)} at ${fmtInt(f.memory.context_length)} tokens of context` : null;
        const isPending = pending.has(f.path);
        keepFocus(tr, () => put(tr,
          el("th", { scope: "row", class: "path" }, el("span", { class: "file-name", text: fileLabel(f) }),
            f.suggested ? el("span", { class: "badge suggested", testid: "suggested-badge", text: "Suggested" }) : null,
            f.problem ? el("span", { class: "muted small block", text: f.problem }) : null),
          el("td", { class: "num", "data-label": "Size", text: fmtBytes(f.size) }),
          el("td", { "data-label": "Quantization", text: f.quantization || "—" }),
          el("td", { class: "num", "data-label": "Est. memory", title: memTitle, text: f.memory ? fmtBytes(f.memory.total) : isPending ? "…" : "—" }),
          el("td", { "data-label": "This machine" }, fitCell(f, isPending)),
          el("td", { class: "act" }, actions(f, tr))));
        applyFilter();
      }
      put(tbody, ...files.map(row));

      // Filters: by quantization, and only what fits (as verdicts arrive).
      const quants = [...new Set(files.map((f) => f.quantization).filter(Boolean))].sort();
      const quantSel = el("select", { id: "quant", testid: "filter-quant" }, el("option", { value: "", text: "All quantizations" }), quants.map((q) => el("option", { value: q, text: q })));
      const fitsOnly = el("input", { type: "checkbox", id: "fits-only", testid: "filter-fits" });
      const none = el("tr", { hidden: true }, el("td", { colspan: "6", class: "muted", text: "No files match these filters." }));
      tbody.append(none);
      function filter() {
        let shown = 0;
        for (const [p, tr] of rows) {
          const f = byPath.get(p);
          tr.hidden = (quantSel.value && f.quantization !== quantSel.value) || (fitsOnly.checked && f.fits !== "yes");
          if (!tr.hidden) shown++;
        }
        none.hidden = shown > 0;
      }
      quantSel.addEventListener("change", filter);
      fitsOnly.addEventListener("change", filter);
      applyFilter = filter;
      const filters = el("div", { class: "file-filters" },
        quants.length ? el("label", { for: "quant" }, "Quantization ", quantSel) : null,
        files.some((f) => f.gguf) ? el("label", { class: "check", for: "fits-only" }, fitsOnly, " Only what fits") : null);

      const table = el("table", { class: "files", testid: "files" },
        el("caption", { class: "sr-only", text: "Files of this model, model weights first" }),
        el("thead", {}, el("tr", {}, ["File", "Size", "Quantization", "Est. memory", "This machine", ""].map((h) => el("th", { scope: "col", text: h })))),
        tbody);

      const suggestion = el("div", { class: "suggestion", testid: "suggestion", "aria-live": "polite" });
      const whole = m.whole && allowed ? el("div", { class: "whole" },
        el("p", { class: "muted small", text: `A ${m.library || "transformers"} model is all of its files together.` }),
        downloadAll(m)) : null;
      const budget = m.budget && m.budget.usable ? el("p", { class: "muted small", testid: "budget", text: `A model may use up to ${fmtBytes(m.budget.usable)} of memory here (${m.budget.source}).` }) : null;
      const note = el("p", { class: "muted small", testid: "files-note" });
      put(root, head, gatedNotice(m),
        el("div", { class: "model-grid" },
          el("section", { "aria-labelledby": "files-h", class: "files-section" },
            el("div", { class: "section-head" }, el("h2", { id: "files-h", text: "Files" }), filters),
            suggestion, whole, budget, note, el("div", { "data-ipfs-note": "" }),
            el("div", { class: "table-wrap" }, table)),
          el("section", { "aria-labelledby": "about-h", class: "about" }, el("h2", { id: "about-h", text: "About" }), cardMeta(m))));

      // Headers, as each arrives.
      if (pending.size) {
        stream(`/api/fit/${m.id}?revision=${encodeURIComponent(m.sha)}`, (line) => {
          if (line.entry) {
            const f = { ...byPath.get(line.entry.path), ...line.entry };
            byPath.set(f.path, f);
            pending.delete(f.path);
            if (rows.has(f.path)) fillRow(rows.get(f.path), f);
          }
          if (line.done) {
            for (const p of [...pending]) { pending.delete(p); if (rows.has(p)) fillRow(rows.get(p), byPath.get(p)); }
            if (line.note) note.textContent = line.note;
            table.dataset.complete = "true";
            if (line.suggested && byPath.has(line.suggested)) {
              const f = byPath.get(line.suggested);
              f.suggested = true;
              fillRow(rows.get(f.path), f);
              put(suggestion, el("p", {},
                el("strong", { text: "Suggested for this machine: " }),
                `${fileLabel(f)}, the best quantization (${f.quantization}) that fits; it needs about ${fmtBytes(f.memory.total)} of memory.`),
                f.local_path || !allowed ? null : downloadButton(m.id, f, suggestion, `Download ${f.quantization} (${fmtBytes(f.size)})`, "suggested-download", m.sha));
            } else if (m.files.some((x) => x.gguf) && !line.note) {
              put(suggestion, el("p", { class: "muted small", testid: "no-suggestion", text: "No file of this model fits this machine's memory, or its memory is unknown." }));
              suggestion.classList.add("none");
            }
          }
        }).catch((err) => { note.textContent = `Memory estimates are not available: ${err.message}`; table.dataset.complete = "true"; });
      } else {
        table.dataset.complete = "true";
      }
      if (m.has_readme) modelCard(m);

      // A download of this model that finishes turns its row to
      // Downloaded; one that fails or stops gives the row its button back.
      document.addEventListener("hfgate:download", (e) => {
        const t = e.detail;
        if (t.repo !== m.id || t.whole) return;
        const f = byPath.get(t.file);
        if (!f) return;
        if (t.state === "done" && t.local_path) {
          f.local_path = t.local_path;
          f.cid = t.cid;
        }
        fillRow(rows.get(f.path), f);
      });
    }

    // downloadAll downloads a whole repository, {"all": true}.
    function downloadAll(m) {
      const size = m.files.reduce((n, f) => n + f.size, 0);
      const label = `Download all ${m.files.length} files (${fmtBytes(size)})`;
      const host = el("div");
      const b = el("button", { type: "button", class: "btn primary small", testid: "download-all", text: label });
      b.addEventListener("click", async () => {
        if (b.getAttribute("aria-disabled") === "true") return;
        b.setAttribute("aria-disabled", "true");
        b.textContent = "Starting…";
        try {
          await api("/api/downloads", { json: { repo: m.id, revision: m.sha, all: true } });
          b.textContent = "Downloading all files…";
          announce(`Downloading all files of ${m.id}`);
          downloads.refresh();
        } catch (err) {
          b.removeAttribute("aria-disabled");
          b.textContent = label;
          host.append(el("p", { class: "inline-error", role: "alert", text: sentence(err.message) }));
        }
      });
      host.append(b);
      return host;
    }

    async function modelCard(m) {
      const section = $("[data-testid=model-card-section]");
      const body = $("[data-testid=model-card-body]");
      section.hidden = false;
      showLoading(body, "Loading the model card…");
      try {
        const c = await api(`/api/readme/${m.id}?revision=${encodeURIComponent(m.sha)}`);
        if (c.restricted) {
          put(body, el("p", { class: "muted", testid: "card-restricted", text: "The model card is shown to accounts with access to this model." }));
          return;
        }
        if (!c.html) { section.hidden = true; return; }
        // Rendered and sanitized by the server (web/card.go): no raw HTML of
        // the author's, only http(s) and mailto links; the page's CSP runs
        // no inline script whatever happens.
        body.innerHTML = c.html;
        if (c.truncated) body.append(el("p", { class: "muted small", text: "The model card is longer; read it all on the Hub." }));
      } catch (err) {
        showError(body, err, () => modelCard(m));
      }
    }

    load();
    document.addEventListener("hfgate:account", load);
  }

  // ---- Downloads panel ----

  const downloads = (() => {
    const panels = () => [...document.querySelectorAll("[data-downloads]")];
    const rows = new Map();
    const seen = new Map(); // id -> last state, to announce changes
    let timer = null;
    let first = true;
    const stateText = { queued: "Queued", running: "Downloading", verifying: "Verifying", done: "Downloaded", failed: "Failed", canceled: "Canceled", interrupted: "Interrupted" };
    const isActive = (s) => ["queued", "running", "verifying"].includes(s);

    const label = (t) => (t.whole ? `All files of ${t.repo}` : t.files && t.files.length > 1 ? `${shardBase(t.file)} (${t.files.length} parts)` : t.file || "An unfinished file");

    async function act(id, what) {
      try {
        await api(`/api/downloads/${id}/${what}`, { json: {} });
      } catch (err) {
        announce(err.message);
      }
      refresh();
    }

    function percent(t) {
      if (t.state === "done") return 100;
      return t.size > 0 ? Math.min(100, Math.floor((t.done * 100) / t.size)) : 0;
    }

    function row(t) {
      let r = rows.get(t.id);
      if (!r) {
        r = {
          li: el("li", { class: "dl", testid: "download", "data-id": t.id, "data-file": t.file || "", tabindex: "-1" }),
          name: el("span", { class: "dl-file", text: label(t) }),
          state: el("span", { class: "badge", testid: "download-state" }),
          repo: el("a", { href: `/models/${t.repo}`, class: "dl-repo", text: t.repo }),
          bar: el("progress", { max: "100", value: "0", "aria-label": `Progress of ${label(t)}` }),
          pct: el("span", { class: "pct", testid: "download-percent" }),
          meta: el("span", { class: "dl-meta", testid: "download-meta" }),
          extra: el("div", { class: "dl-extra" }),
          actions: el("div", { class: "dl-actions" }),
        };
        r.li.append(el("div", { class: "dl-top" }, r.name, r.state), r.repo, el("div", { class: "dl-progress" }, r.bar, r.pct), r.meta, r.extra, r.actions);
        rows.set(t.id, r);
      }
      r.li.dataset.state = t.state;
      r.name.textContent = label(t);
      r.state.textContent = stateText[t.state] || t.state;
      r.state.className = `badge state-${t.state}`;
      const p = percent(t);
      r.bar.value = p;
      r.pct.textContent = `${p}%`;
      const parts = [t.size ? `${fmtBytes(t.done)} of ${fmtBytes(t.size)}` : `${fmtBytes(t.done)} so far`];
      if (t.state === "running" && t.speed > 0) parts.push(`${fmtBytes(t.speed)}/s`);
      if (t.state === "running" && t.eta > 0) parts.push(`about ${fmtDuration(t.eta)} left`);
      if ((t.state === "failed" || t.state === "canceled" || t.state === "interrupted") && t.done > 0) parts.push(`${fmtBytes(t.done)} kept for resuming`);
      if (t.retrying) parts.push(sentence(t.retrying));
      r.meta.textContent = parts.join(" · ");

      // Only rebuild what changed, so that focus stays where it was.
      const extraKey = `${t.state}|${t.local_path}|${t.error}|${t.cid}`;
      if (r.extraKey !== extraKey) {
        r.extraKey = extraKey;
        keepFocus(r.li, () => {
          put(r.extra,
            t.state === "done" && t.local_path ? el("p", { class: "dl-path" }, "Saved to ", el("code", { testid: "download-path", text: t.local_path })) : null,
            t.state === "failed" && t.error ? el("p", { class: "dl-error", role: "alert", testid: "download-error", text: `Download failed: ${t.error}` }) : null);
          put(r.actions,
            isActive(t.state) ? el("button", { type: "button", class: "btn small ghost", testid: "download-cancel", "aria-label": `Cancel ${label(t)}`, text: "Cancel", on: { click: () => act(t.id, "cancel") } }) : null,
            ["failed", "canceled", "interrupted"].includes(t.state) ? el("button", { type: "button", class: "btn small", testid: "download-resume", "aria-label": `${t.state === "failed" ? "Retry" : "Resume"} ${label(t)}`, text: t.state === "failed" ? "Retry" : "Resume", on: { click: () => act(t.id, "resume") } }) : null,
            t.state === "done" && t.file && !t.whole && !(t.files && t.files.length > 1) ? verifyButton(t.repo, t.revision, t.file, r.extra) : null,
            t.state === "done" && t.file && !t.whole && !(t.files && t.files.length > 1) ? ipfsControl(t.repo, t.revision, t.file, t.cid) : null);
        });
      }
      return r.li;
    }

    // tell announces a download that finished or failed since last time
    // (the list's first load is the page's starting point: seen before).
    function tell(t) {
      const before = seen.get(t.id);
      seen.set(t.id, t.state);
      if (before === t.state) return;
      if (t.state === "done") announce(`${label(t)} downloaded and verified`);
      if (t.state === "failed") announce(`Download of ${label(t)} failed: ${t.error}`);
      if (!isActive(t.state)) document.dispatchEvent(new CustomEvent("hfgate:download", { detail: t }));
    }

    function render(list) {
      const active = list.filter((t) => isActive(t.state)).length;
      const count = $("[data-testid=downloads-count]");
      if (count) { count.hidden = active === 0; count.textContent = String(active); }
      const nav = count && count.closest("a");
      if (nav) nav.title = active ? `${active} running` : "";
      for (const t of list) tell(t);
      for (const panel of panels()) {
        const mine = panel.dataset.repo ? list.filter((t) => t.repo === panel.dataset.repo) : list;
        let ol = panel.querySelector("ol.dls");
        if (!mine.length) {
          put(panel, el("p", { class: "muted", testid: "downloads-empty", text: panel.dataset.repo ? "No downloads of this model yet. Pick a file above." : "No downloads yet. Open a model and pick a file." }));
          continue;
        }
        if (!ol) { ol = el("ol", { class: "dls" }); put(panel, ol); }
        const want = mine.map(row);
        want.forEach((li, i) => { if (ol.children[i] !== li) ol.insertBefore(li, ol.children[i] || null); });
        while (ol.children.length > want.length) ol.lastChild.remove();
      }
      return active;
    }

    async function refresh() {
      clearTimeout(timer);
      const hasPanel = panels().length > 0;
      if (first && hasPanel) for (const p of panels()) showLoading(p, "Loading downloads…");
      try {
        const data = await api("/api/downloads");
        const firstLoad = first;
        first = false;
        if (firstLoad) for (const t of data.downloads) seen.set(t.id, t.state);
        const active = render(data.downloads);
        if (active) timer = setTimeout(refresh, 500);
      } catch (err) {
        for (const p of panels()) showError(p, err, refresh);
        timer = setTimeout(refresh, 3000);
      }
    }
    return { refresh };
  })();

  document.addEventListener("DOMContentLoaded", async () => {
    await loadAccount();
    const page = document.body.dataset.page;
    if (page === "search") searchPage();
    if (page === "model") modelPage();
    downloads.refresh();
  });
})();
