// Tessera's web console: the core every page uses. Static, no build step, one global (T). It calls
// the same REST API as the CLI with the same bearer token, kept in this tab's sessionStorage only.
// Every value from the API is inserted as text (never as HTML), so a job name or a log line cannot
// inject markup; the page's policy allows no inline script or style.
"use strict";

const T = {
  TOKEN_KEY: "tessera.token",
  views: {},
  timer: null,
  admin: false,

  token() { return sessionStorage.getItem(T.TOKEN_KEY); },

  /** A call to the API; answers that are not 2xx throw an Error carrying the problem's detail and field errors. */
  async api(path, opts) {
    const o = opts || {};
    const headers = { Authorization: "Bearer " + T.token() };
    if (o.type) headers["Content-Type"] = o.type;
    const resp = await fetch(path, { method: o.method || "GET", headers: headers, body: o.body });
    if (resp.status === 401) { T.logout("that token was not accepted"); throw new Error("unauthorized"); }
    if (!resp.ok) {
      let detail = resp.status + "", errors = [];
      try { const p = await resp.json(); detail = p.title || detail; errors = p.errors || []; if (!errors.length) detail = p.detail || detail; }
      catch (e) { /* not problem+json */ }
      const err = new Error(detail + errors.map(x => "\n" + x.field + ": " + x.message).join(""));
      err.status = resp.status;
      throw err;
    }
    if (o.raw) return resp;
    return o.text ? resp.text() : resp.json();
  },

  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  },

  table(id, headers, rows) {
    const el = T.el;
    return el("table", { id: id },
      el("thead", {}, el("tr", {}, ...headers.map(h => el("th", {}, h)))),
      el("tbody", {}, ...rows.map(r => el("tr", {}, ...r.map(c => el("td", {}, c))))));
  },

  num(v, digits) { return v === undefined || v === null ? "-" : Number(v).toFixed(digits); },

  duration(sec) {
    if (sec === undefined || sec === null) return "-";
    const s = Math.max(0, Math.round(sec));
    return Math.floor(s / 3600) + ":" + String(Math.floor(s / 60) % 60).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
  },

  /** "3 min ago", "in 2 h": a time people read at a glance, the exact one in its tooltip. */
  ago(iso) {
    if (!iso) return "-";
    const ms = Date.parse(iso);
    if (isNaN(ms)) return iso;
    const d = (Date.now() - ms) / 1000, a = Math.abs(d);
    const say = a < 45 ? Math.round(a) + " s" : a < 5400 ? Math.round(a / 60) + " min" : a < 172800 ? Math.round(a / 3600) + " h"
      : Math.round(a / 86400) + " d";
    return T.el("time", { datetime: iso, title: new Date(ms).toLocaleString() }, d >= 0 ? say + " ago" : "in " + say);
  },

  state(s) { return T.el("span", { class: "state " + s }, s); },

  /** A message above the page for a few seconds: what an action did, or why it failed. */
  notify(text, bad) {
    const n = document.getElementById("notice");
    n.textContent = text;
    n.className = bad ? "notice error" : "notice";
    n.hidden = false;
    clearTimeout(T.noticeTimer);
    T.noticeTimer = setTimeout(() => { n.hidden = true; }, 6000);
  },

  /** Re-renders the current page now, and every 3 s while nothing is being edited. */
  async render() {
    clearTimeout(T.timer);
    if (T.logAbort) { T.logAbort.abort(); T.logAbort = null; }
    const loggedIn = !!T.token();
    document.getElementById("login").hidden = loggedIn;
    document.getElementById("view").hidden = !loggedIn;
    document.getElementById("nav").hidden = !loggedIn;
    if (!loggedIn) return;
    const view = document.getElementById("view");
    const hash = location.hash || "#/";
    const route = hash.startsWith("#/jobs/") ? "job" : hash.slice(2).split("?")[0] || "jobs";
    const page = T.views[route] || T.views.jobs;
    let again = true;
    try {
      again = (await page(view, hash)) !== false;
    } catch (e) {
      if (T.token()) view.replaceChildren(T.el("p", { class: "error" }, "Could not load: " + e.message));
    }
    if (T.token() && again) T.timer = setTimeout(T.render, 3000);
  },

  logout(why) {
    sessionStorage.removeItem(T.TOKEN_KEY);
    document.getElementById("login-error").textContent = why || "";
    T.render();
  },
};
