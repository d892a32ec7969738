// The admin console's audit page: follow the log live, and verify its hash
// chains. Everything a server sent is put in the page with textContent,
// never as HTML.
"use strict";

(function () {
  const rows = document.getElementById("audit-rows");
  const follow = document.getElementById("follow");
  const state = document.getElementById("follow-state");
  let timer = null;
  let last = follow ? follow.dataset.newest : "";

  // count writes a number with its noun: "1 chain", "2 chains".
  function count(n, one, many) {
    return n === 1 ? "1 " + one : n + " " + many;
  }

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  // row builds the table row of one event, as the page's template does.
  function row(e) {
    const tr = document.createElement("tr");
    tr.dataset.id = e.id;
    tr.className = (e.decision || "") + " fresh";
    cell(tr, e.time, "nowrap");
    cell(tr, e.kind);
    const who = cell(tr, "");
    if (e.who_link) {
      const a = document.createElement("a");
      a.href = e.who_link;
      a.textContent = e.who;
      who.appendChild(a);
    } else {
      who.textContent = e.who;
    }
    cell(tr, e.action);
    cell(tr, [e.repo, e.file].filter(Boolean).join(" "));
    const dec = cell(tr, "");
    if (e.decision) {
      const b = document.createElement("span");
      b.className = "badge " + e.decision;
      b.textContent = e.decision;
      dec.appendChild(b);
      dec.appendChild(document.createTextNode(" " + (e.rule || "")));
    }
    cell(tr, [e.status || "", e.bytes ? e.bytes + " B" : "", e.outcome || ""].filter(Boolean).join(" "));
    cell(tr, e.client_ip || "");
    const more = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "more";
    const dl = document.createElement("dl");
    dl.className = "detail";
    const pairs = [["event", e.id], ["subject", e.subject], ["token", e.token_id], ["path", e.path], ["user agent", e.user_agent]];
    for (const [k, v] of pairs) {
      if (!v) continue;
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      dl.append(dt, dd);
    }
    for (const d of e.detail || []) {
      const dd = document.createElement("dd");
      dd.className = "mono";
      dd.textContent = d;
      dl.append(dd);
    }
    more.append(summary, dl);
    cell(tr, "").appendChild(more);
    return tr;
  }

  async function poll() {
    const q = new URLSearchParams(follow.dataset.query);
    q.set("ascending", "1");
    if (last) q.set("after", last);
    try {
      const resp = await fetch("/admin/api/audit?" + q.toString(), { credentials: "same-origin" });
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      const page = await resp.json();
      const empty = rows.querySelector("tr.empty");
      if (page.events.length && empty) empty.remove();
      for (const e of page.events) rows.insertBefore(row(e), rows.firstChild);
      if (page.last) last = page.last;
      state.textContent = "following: updated " + new Date().toLocaleTimeString();
    } catch (err) {
      state.textContent = "following stopped: " + err.message;
      stop();
    }
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    follow.setAttribute("aria-pressed", "false");
    follow.textContent = "Follow live";
  }

  if (follow && rows) {
    follow.addEventListener("click", () => {
      if (timer) {
        stop();
        state.textContent = "";
        return;
      }
      follow.setAttribute("aria-pressed", "true");
      follow.textContent = "Stop following";
      poll();
      timer = setInterval(poll, 2000);
    });
  }

  const verify = document.getElementById("verify-run");
  if (verify) {
    verify.addEventListener("click", async () => {
      const status = document.getElementById("verify-status");
      const list = document.getElementById("verify-problems");
      verify.disabled = true;
      status.textContent = "verifying…";
      try {
        const resp = await fetch("/admin/api/audit/verify", { credentials: "same-origin" });
        const res = await resp.json();
        if (!resp.ok) throw new Error(res.error || "HTTP " + resp.status);
        status.textContent = "";
        const b = document.createElement("span");
        b.className = "badge " + (res.ok ? "allow" : "deny");
        b.textContent = res.ok ? "intact" : "broken";
        status.appendChild(b);
        status.appendChild(document.createTextNode(" verified " + res.at + ": " + count(res.chains, "chain", "chains") + ", " +
          count(res.events, "event", "events") + " in " + res.took + (res.omitted ? "; " + res.omitted + " more problems" : "")));
        list.replaceChildren(...res.problems.map((p) => {
          const li = document.createElement("li");
          li.className = "mono";
          li.textContent = p;
          return li;
        }));
      } catch (err) {
        status.textContent = "verification failed: " + err.message;
      } finally {
        verify.disabled = false;
      }
    });
  }
})();
