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

  // api calls the JSON API and throws an Error with the server's message.
  async function api(path, opts = {}) {
    const init = { headers: { Accept: "application/json" }, credentials: "same-origin", ...opts };
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
    if (!resp.ok) throw new Error((body && body.error && body.error.message) || `request failed (${resp.status})`);
    return body;
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
  function fmtParams(n) {
    if (!n) return "";
    return n >= 1e9 ? `${(n / 1e9).toFixed(1)}B params` : `${Math.round(n / 1e6)}M params`;
  }

  // statusBox shows loading or an error with a retry button inside box.
  function showLoading(box, text) {
    put(box, el("p", { class: "status loading", role: "status" }, el("span", { class: "spinner", "aria-hidden": "true" }), text));
  }
  function showError(box, err, retry) {
    put(box, el("div", { class: "status error", role: "alert", testid: "error" },
      el("p", { text: err.message || String(err) }),
      retry ? el("button", { type: "button", class: "btn", text: "Try again", on: { click: retry } }) : null));
  }

  // live announces text to screen readers.
  function announce(text) {
    let r = $("#announcer");
    if (!r) {
      r = el("div", { id: "announcer", class: "sr-only", role: "status", "aria-live": "polite" });
      document.body.append(r);
    }
    r.textContent = text;
  }

  // Avatar: show the initial when the image does not load.
  function avatarFallback() {
    const img = $("img.avatar");
    if (!img) return;
    const swap = () => img.replaceWith(el("span", { class: "avatar initial", "aria-hidden": "true", testid: "avatar", text: img.dataset.initial || "?" }));
    if (img.complete && img.naturalWidth === 0) swap();
    else img.addEventListener("error", swap);
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
          m.task ? el("span", { class: "pill", text: m.task }) : null,
          m.library ? el("span", { class: "pill", text: m.library }) : null,
          m.parameters ? el("span", { class: "pill", text: fmtParams(m.parameters) }) : null,
          m.gguf_size ? el("span", { class: "pill", text: `GGUF ${fmtBytes(m.gguf_size)}` }) : null,
          m.gated ? el("span", { class: "pill warn", text: "Gated" }) : null,
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
        put(status, el("p", { class: "status", text: n === 0 ? "No models match. Try fewer filters." : `${n} model${n === 1 ? "" : "s"}${next ? " so far" : ""}` }));
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
        budget.textContent = `Up to ${fmtBytes(data.budget.usable)} for a model (${data.budget.source}).`;
      }
      if (!data.picks.length) {
        put(box, el("p", { class: "muted", text: "No recommendations for this machine yet." }));
        return;
      }
      put(box, el("ol", { class: "recs" }, data.picks.map((r) =>
        el("li", { class: "rec", testid: "recommendation" },
          el("a", { href: `/models/${r.repo}`, text: r.repo }),
          el("span", { class: "rec-file", text: r.file.path }),
          el("span", { class: "rec-meta" },
            r.file.quantization ? el("span", { class: "pill", text: r.file.quantization }) : null,
            el("span", { text: fmtBytes(r.file.size) }),
            r.file.memory ? el("span", { text: `needs ~${fmtBytes(r.file.memory.total)}` }) : null),
          r.reason ? el("span", { class: "muted small rec-reason", text: r.reason }) : null,
          el("div", { class: "rec-actions" },
            el("button", {
              type: "button", class: "btn small", testid: "recommendation-download", "aria-label": `Download ${r.file.path}`, text: "Download",
              on: { click: (e) => startDownload(r.repo, r.file, e.currentTarget, e.currentTarget.closest("li")) },
            }),
            el("a", { href: "/downloads", class: "small", text: "See downloads" }))))));
    } catch (err) {
      showError(box, err, recommendations);
    }
  }

  // startDownload downloads entry (a fit.Entry: one file, or every shard of
  // a split model) of repo; a failure is shown inside errorHost.
  async function startDownload(repo, entry, button, errorHost) {
    button.disabled = true;
    button.textContent = "Starting…";
    errorHost.querySelector(".inline-error")?.remove();
    try {
      for (const file of entry.shards && entry.shards.length ? entry.shards : [entry.path]) {
        await api("/api/downloads", { json: { repo, file } });
      }
      announce(`Downloading ${entry.path}`);
      button.textContent = "Started";
      downloads.refresh();
    } catch (err) {
      announce(err.message);
      errorHost.append(el("p", { class: "inline-error", role: "alert", text: err.message }));
    } finally {
      setTimeout(() => { button.disabled = false; button.textContent = "Download"; }, 1500);
    }
  }

  // ---- Model page ----

  function modelPage() {
    const root = $("#model");
    const repo = root.dataset.repo;
    const panel = $("[data-downloads]");
    if (panel) panel.dataset.repo = repo;

    async function load() {
      root.setAttribute("aria-busy", "true");
      const title = el("h1", { class: "model-title", text: repo });
      const box = el("div");
      put(root, title, box);
      showLoading(box, "Loading model details…");
      try {
        const m = await api(`/api/models/${repo}`);
        render(m);
      } catch (err) {
        showError(box, err, load);
      } finally {
        root.removeAttribute("aria-busy");
      }
    }

    function gatedNotice(m) {
      if (!m.gating) return null;
      const link = el("a", { href: m.request_access_url, target: "_blank", rel: "noreferrer", class: "btn", testid: "request-access", text: "Request access" });
      const text = {
        granted: "This model is gated, and your account has been granted access.",
        not_granted: "This model is gated: the authors must grant your account access before its files can be downloaded. Request access on Hugging Face, then come back here.",
        sign_in: "This model is gated: connect your Hugging Face account to see whether you have access, or request it on Hugging Face.",
      }[m.access] || "This model is gated: its authors decide who may download it.";
      return el("div", { class: `notice ${m.access === "granted" ? "ok" : "warn"}`, role: "note", testid: "gated-notice" },
        el("p", { text }), m.access === "granted" ? null : link);
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
      add("On the Hub", el("a", { href: m.url, target: "_blank", rel: "noreferrer", text: m.url }));
      return el("dl", { class: "meta" }, rows);
    }

    // fitBadge judges a model file; other files (no "fits") get a dash.
    function fitBadge(f) {
      if (!f.fits) {
        return el("span", { class: "muted", title: "No estimate: only GGUF models are judged", testid: "no-fit" },
          el("span", { "aria-hidden": "true", text: "—" }), el("span", { class: "sr-only", text: "Not judged: not a GGUF model" }));
      }
      const t = { yes: ["fits", "Fits this machine"], no: ["nofit", "Too big for this machine"] }[f.fits] || ["unknown", "Unknown"];
      return el("span", { class: `badge ${t[0]}`, testid: "fit-badge", "data-fits": f.fits, text: t[1] });
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
          el("li", {}, `${fmtCount(m.downloads)} downloads`),
          el("li", {}, `${fmtCount(m.likes)} likes`),
          el("li", { text: `by ${m.author}` })),
        visibleTags(m, 12).length ? el("ul", { class: "tags", "aria-label": "Tags" }, visibleTags(m, 12).map((t) => el("li", { text: t }))) : null);

      const files = m.files || [];
      const quants = [...new Set(files.map((f) => f.quantization).filter(Boolean))].sort();
      const quantSel = el("select", { id: "quant", testid: "filter-quant" }, el("option", { value: "", text: "All quantizations" }), quants.map((q) => el("option", { value: q, text: q })));
      const fitsOnly = el("input", { type: "checkbox", id: "fits-only", testid: "filter-fits" });
      const tbody = el("tbody");
      const table = el("table", { class: "files", testid: "files" },
        el("caption", { class: "sr-only", text: "Files of this model" }),
        el("thead", {}, el("tr", {}, ["File", "Size", "Quantization", "Est. memory", "This machine", ""].map((h) => el("th", { scope: "col", text: h })))),
        tbody);

      function fill() {
        const q = quantSel.value;
        const rows = files.filter((f) => (!q || f.quantization === q) && (!fitsOnly.checked || f.fits === "yes"));
        put(tbody, ...rows.map((f) => el("tr", { testid: "file-row", "data-path": f.path },
          el("th", { scope: "row", class: "path" }, el("span", { text: f.path }), f.shards && f.shards.length > 1 ? el("span", { class: "muted small", text: ` (${f.shards.length} parts)` }) : null,
            f.problem ? el("span", { class: "muted small block", text: f.problem }) : null),
          el("td", { class: "num", "data-label": "Size", text: fmtBytes(f.size) }),
          el("td", { "data-label": "Quantization", text: f.quantization || "—" }),
          el("td", { class: "num", "data-label": "Est. memory", title: f.memory ? `weights ${fmtBytes(f.memory.weights)} + KV cache ${fmtBytes(f.memory.kv_cache)} + compute ${fmtBytes(f.memory.compute)} at ${f.memory.context_length} tokens` : null, text: f.memory ? fmtBytes(f.memory.total) : "—" }),
          el("td", { "data-label": "This machine" }, fitBadge(f)),
          el("td", { class: "act" }, el("button", {
            type: "button", class: "btn small", "aria-label": `Download ${f.path}`, testid: "download-button",
            on: { click: (e) => startDownload(m.id, f, e.currentTarget, e.currentTarget.closest("tr").querySelector("th")) },
          }, "Download")))));
        if (!rows.length) tbody.append(el("tr", {}, el("td", { colspan: "6", class: "muted", text: "No files match these filters." })));
      }
      quantSel.addEventListener("change", fill);
      fitsOnly.addEventListener("change", fill);
      fill();

      const budget = m.budget && m.budget.usable ? el("p", { class: "muted small", testid: "budget", text: `This machine can give a model about ${fmtBytes(m.budget.usable)} (${m.budget.source}).` }) : null;
      put(root, head, gatedNotice(m),
        el("div", { class: "model-grid" },
          el("section", { "aria-labelledby": "files-h", class: "files-section" },
            el("div", { class: "section-head" }, el("h2", { id: "files-h", text: "Files" }),
              el("div", { class: "file-filters" },
                quants.length ? el("label", { for: "quant" }, "Quantization ", quantSel) : null,
                el("label", { class: "check", for: "fits-only" }, fitsOnly, " Only what fits"))),
            budget, m.files_note ? el("p", { class: "muted small", text: m.files_note }) : null,
            el("div", { class: "table-wrap" }, table)),
          el("section", { "aria-labelledby": "about-h", class: "about" }, el("h2", { id: "about-h", text: "About" }), cardMeta(m))));
    }

    load();
  }

  // ---- Downloads panel ----

  const downloads = (() => {
    const panels = () => [...document.querySelectorAll("[data-downloads]")];
    const rows = new Map();
    let timer = null;
    let first = true;
    const stateText = { queued: "Queued", running: "Downloading", verifying: "Verifying", done: "Done", failed: "Failed", canceled: "Canceled" };

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
          li: el("li", { class: "dl", testid: "download", "data-id": t.id, "data-file": t.file }),
          name: el("span", { class: "dl-file", text: t.file }),
          state: el("span", { class: "badge", testid: "download-state" }),
          repo: el("a", { href: `/models/${t.repo}`, class: "dl-repo", text: t.repo }),
          bar: el("progress", { max: "100", value: "0", "aria-label": `Progress of ${t.file}` }),
          pct: el("span", { class: "pct", testid: "download-percent" }),
          meta: el("span", { class: "dl-meta" }),
          extra: el("div", { class: "dl-extra" }),
          actions: el("div", { class: "dl-actions" }),
        };
        r.li.append(el("div", { class: "dl-top" }, r.name, r.state), r.repo, el("div", { class: "dl-progress" }, r.bar, r.pct), r.meta, r.extra, r.actions);
        rows.set(t.id, r);
      }
      r.li.dataset.state = t.state;
      r.state.textContent = stateText[t.state] || t.state;
      r.state.className = `badge state-${t.state}`;
      const p = percent(t);
      r.bar.value = p;
      r.pct.textContent = `${p}%`;
      const parts = [t.size ? `${fmtBytes(t.done)} of ${fmtBytes(t.size)}` : fmtBytes(t.done)];
      if (t.state === "running" && t.speed > 0) parts.push(`${fmtBytes(t.speed)}/s`);
      if (t.state === "running" && t.eta > 0) parts.push(`about ${fmtDuration(t.eta)} left`);
      if (t.retrying) parts.push(t.retrying);
      r.meta.textContent = parts.join(" · ");

      // Only rebuild what changed, so focus stays on the buttons.
      const extraKey = `${t.state}|${t.local_path}|${t.error}`;
      if (r.extraKey !== extraKey) {
        r.extraKey = extraKey;
        put(r.extra,
          t.state === "done" && t.local_path ? el("p", { class: "dl-path" }, "Saved to ", el("code", { testid: "download-path", text: t.local_path })) : null,
          t.state === "failed" && t.error ? el("p", { class: "dl-error", role: "alert", testid: "download-error", text: t.error }) : null);
        const active = ["queued", "running", "verifying"].includes(t.state);
        put(r.actions,
          active ? el("button", { type: "button", class: "btn small ghost", testid: "download-cancel", "aria-label": `Cancel ${t.file}`, text: "Cancel", on: { click: () => act(t.id, "cancel") } }) : null,
          t.state === "failed" || t.state === "canceled" ? el("button", { type: "button", class: "btn small", testid: "download-resume", "aria-label": `${t.state === "failed" ? "Retry" : "Resume"} ${t.file}`, text: t.state === "failed" ? "Retry" : "Resume", on: { click: () => act(t.id, "resume") } }) : null);
      }
      return r.li;
    }

    function render(list) {
      const active = list.filter((t) => ["queued", "running", "verifying"].includes(t.state)).length;
      const count = $("[data-testid=downloads-count]");
      if (count) { count.hidden = active === 0; count.textContent = String(active); }
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
        first = false;
        const active = render(data.downloads);
        if (active) timer = setTimeout(refresh, 500);
      } catch (err) {
        for (const p of panels()) showError(p, err, refresh);
        timer = setTimeout(refresh, 3000);
      }
    }
    return { refresh };
  })();

  document.addEventListener("DOMContentLoaded", () => {
    avatarFallback();
    const page = document.body.dataset.page;
    if (page === "search") searchPage();
    if (page === "model") modelPage();
    downloads.refresh();
  });
})();
