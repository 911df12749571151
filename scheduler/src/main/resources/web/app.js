// Tessera's web page: the queue, one job, and the fleet, read from the same REST API as the CLI,
// with the same bearer tokens. Static, no build step. Every value from the API is inserted as
// text (never as HTML), so a job name or a log line cannot inject markup.
"use strict";

const TOKEN_KEY = "tessera.token";
let timer = null;

function token() { return sessionStorage.getItem(TOKEN_KEY); }

async function api(path, asText) {
  const resp = await fetch(path, { headers: { Authorization: "Bearer " + token() } });
  if (resp.status === 401) { logout("that token was not accepted"); throw new Error("unauthorized"); }
  if (!resp.ok) {
    let detail = resp.status + "";
    try { detail = (await resp.json()).detail || detail; } catch (e) { /* not problem+json */ }
    throw new Error(detail);
  }
  return asText ? resp.text() : resp.json();
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function table(id, headers, rows) {
  return el("table", { id: id },
    el("thead", {}, el("tr", {}, ...headers.map(h => el("th", {}, h)))),
    el("tbody", {}, ...rows.map(r => el("tr", {}, ...r.map(c => c instanceof Node && c.tagName === "TD" ? c : el("td", {}, c))))));
}

function num(v, digits) { return v === undefined || v === null ? "-" : Number(v).toFixed(digits); }
function duration(sec) {
  if (sec === undefined || sec === null) return "-";
  const s = Math.round(sec);
  return Math.floor(s / 3600) + ":" + String(Math.floor(s / 60) % 60).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
}
function state(s) { return el("span", { class: "state " + s }, s); }

function progress(job) {
  const shards = job.shards || [];
  const total = Math.max(0, ...shards.map(s => s.totalSteps || 0));
  const step = shards.length ? Math.min(...shards.map(s => s.step || 0)) : 0;
  const measured = shards.reduce((a, s) => a + (s.measuredSamplesPerSec || 0), 0);
  const predicted = job.placement ? job.placement.predictedSamplesPerSec : null;
  const pct = total > 0 ? Math.min(100, 100 * step / total) : 0;
  const fill = el("span", {});
  fill.style.width = pct.toFixed(0) + "%"; // through the CSSOM: the page's policy allows no inline style attributes
  const bar = el("span", { class: "bar" }, fill);
  return el("span", { class: "progress" }, bar,
    (total > 0 ? step + "/" + total + " steps" : "step " + step) + ", " + (measured > 0 ? measured.toFixed(1) : "-")
    + " samples/s measured, " + num(predicted, 1) + " predicted");
}

async function jobsView(view) {
  const page = await api("/v1/jobs?limit=200");
  const rows = page.jobs.map(j => [
    el("a", { href: "#/jobs/" + encodeURIComponent(j.id), class: "job-link" }, j.id), j.name, j.owner || "-", j.queue,
    state(j.state), j.shards.length || "-", j.attempt,
    j.estimatedStartAt ? "estimated start " + j.estimatedStartAt : j.waitingReason || (j.failure ? j.failure.summary : "")]);
  view.replaceChildren(el("h1", {}, "Jobs"),
    el("p", { class: "muted" }, "Newest first; queued jobs say what they wait for. Refreshes every 3 s."),
    rows.length ? table("jobs", ["Job", "Name", "Owner", "Queue", "State", "Shards", "Attempt", "Waiting for / estimated start / failure"], rows)
      : el("p", { id: "no-jobs" }, "No jobs yet: submit one with bin/tessera submit FILE."));
}

async function jobView(view, id) {
  const job = await api("/v1/jobs/" + encodeURIComponent(id));
  const facts = el("div", { class: "facts", id: "facts" });
  const fact = (k, v) => facts.append(el("span", { class: "muted" }, k), el("span", {}, v));
  fact("state", state(job.state));
  fact("owner", job.owner || "-");
  fact("queue", job.queue + " (priority " + job.priority + ")");
  fact("attempt", job.attempt + " (" + job.restarts + " restarts)");
  fact("submitted", job.submittedAt);
  if (job.startedAt) fact("started", job.startedAt);
  if (job.finishedAt) fact("finished", job.finishedAt);
  if (job.durationSec !== undefined) fact("duration", duration(job.durationSec));
  if (job.waitingReason) fact("waiting for", job.waitingReason);
  if (job.estimatedStartAt) fact("estimated start", job.estimatedStartAt);
  if (job.placement) {
    fact("placement", job.placement.precision + ", " + num(job.placement.predictedSamplesPerSec, 1) + " samples/s predicted, "
      + num(job.placement.stepTimeSec, 3) + " s/step");
    fact("progress", progress(job));
  }
  const parts = [el("h1", {}, job.id + "  " + job.name), facts];
  if (job.failure) {
    parts.push(el("h2", {}, "First failure"), el("p", { class: "error", id: "failure" }, job.failure.summary),
      el("pre", {}, (job.failure.outputTail || []).join("\n")));
  }
  const shards = job.shards || [];
  if (shards.length) {
    parts.push(el("h2", {}, "Shards"), table("shards", ["Shard", "Node", "Chip", "Devices", "Micro-batch", "Phase", "Outcome",
      "Step", "Samples/s", "Predicted", "Exit"], shards.map(s => [s.shard, s.node, s.chipType, (s.devices || []).join(","),
      s.microBatch, s.phase, el("span", { class: "outcome " + (s.outcome || "") }, s.outcome || "-"),
      s.step === undefined ? "-" : s.step + (s.totalSteps ? "/" + s.totalSteps : ""), num(s.measuredSamplesPerSec, 1),
      num(s.predictedSamplesPerSec, 1), s.signal || (s.exitCode === undefined ? "-" : s.exitCode)])));
    const pick = el("select", { id: "log-shard" }, ...shards.map(s => el("option", { value: s.shard }, "shard " + s.shard)));
    const log = el("pre", { id: "log" }, "loading...");
    const load = () => api("/v1/jobs/" + encodeURIComponent(job.id) + "/shards/" + pick.value + "/log?tail=50", true)
      .then(t => { log.textContent = t || "(empty)"; }).catch(e => { log.textContent = "no log: " + e.message; });
    pick.addEventListener("change", load);
    parts.push(el("h2", {}, "Log (last 50 lines)"), el("div", { class: "toolbar" }, pick), log);
    load();
  }
  parts.push(el("h2", {}, "Events"), table("events", ["At", "Type", "Message"],
    (job.events || []).slice().reverse().map(e => [e.at, e.type, e.message])));
  view.replaceChildren(...parts);
}

async function fleetView(view) {
  const fleet = await api("/v1/fleet");
  const rows = fleet.chips.map(c => [c.vendor, c.chipType, c.nodes, c.devices, c.free, c.allocated, c.unhealthy, num(c.freeBf16Tflops, 0)]);
  const t = fleet.total;
  rows.push([el("strong", {}, "total"), "", t.nodes, t.devices, t.free, t.allocated, t.unhealthy, num(t.freeBf16Tflops, 0)]);
  view.replaceChildren(el("h1", {}, "Fleet"), table("fleet", ["Vendor", "Chip", "Nodes", "Devices", "Free", "Allocated",
    "Unhealthy", "Free BF16 TFLOPS"], rows));
}

async function render() {
  clearTimeout(timer);
  const loggedIn = !!token();
  document.getElementById("login").hidden = loggedIn;
  document.getElementById("view").hidden = !loggedIn;
  document.getElementById("nav").hidden = !loggedIn;
  if (!loggedIn) return;
  const view = document.getElementById("view");
  const hash = location.hash || "#/";
  try {
    if (hash.startsWith("#/jobs/")) await jobView(view, decodeURIComponent(hash.slice(7)));
    else if (hash === "#/fleet") await fleetView(view);
    else await jobsView(view);
  } catch (e) {
    if (token()) view.replaceChildren(el("p", { class: "error" }, "Could not load: " + e.message));
  }
  if (token()) timer = setTimeout(render, 3000);
}

function logout(why) {
  sessionStorage.removeItem(TOKEN_KEY);
  document.getElementById("login-error").textContent = why || "";
  render();
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("login-form").addEventListener("submit", ev => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
    document.getElementById("token").value = "";
    document.getElementById("login-error").textContent = "";
    render();
  });
  document.getElementById("logout").addEventListener("click", () => logout(""));
  window.addEventListener("hashchange", render);
  render();
});
