// Tessera's web console: one job. Its facts, actions (cancel, resubmit), training curves from
// GET /v1/jobs/{id}/metrics (loss; samples/s measured per vendor against predicted), the first
// failure, its shards, the log of the shard to look at (the first that failed) following live,
// with a download, and its events. The page refreshes its parts in place, so the log keeps flowing.
"use strict";

T.views.job = async function (view, hash) {
  const id = decodeURIComponent(hash.slice(7));
  const el = T.el;
  const job = await T.api("/v1/jobs/" + encodeURIComponent(id));
  const parts = {
    facts: el("div", { id: "facts-box" }), actions: el("div", { class: "toolbar", id: "actions" }),
    charts: el("div", { class: "charts", id: "charts" }), failure: el("div", { id: "failure-box" }),
    shards: el("div", { id: "shards-box" }), log: el("div", { id: "log-box" }), events: el("div", { id: "events-box" }),
  };
  view.replaceChildren(el("h1", {}, job.id + "  " + job.name), parts.actions, parts.facts, parts.charts, parts.failure,
    parts.shards, parts.log, parts.events);
  const refresh = async fresh => {
    const j = fresh || await T.api("/v1/jobs/" + encodeURIComponent(id));
    if (!parts.log.firstChild && (j.shards || []).length) T.logPanel(parts.log, j); // once it is placed
    parts.facts.replaceChildren(T.jobFacts(j));
    parts.actions.replaceChildren(...T.jobActions(j));
    parts.failure.replaceChildren(...T.failureView(j));
    parts.shards.replaceChildren(...T.shardsView(j));
    parts.events.replaceChildren(el("h2", {}, "Events"), T.table("events", ["When", "Type", "Message"],
      (j.events || []).slice().reverse().map(e => [T.ago(e.at), el("span", { class: "event " + e.type }, e.type), e.message])));
    const curve = await T.api("/v1/jobs/" + encodeURIComponent(id) + "/metrics").catch(() => null);
    if (curve) parts.charts.replaceChildren(...T.curves(curve, j.events || []));
  };
  await refresh(job);
  const again = () => {
    if (location.hash !== hash) return;
    refresh().catch(() => { /* the next try says more */ }).finally(() => { T.timer = setTimeout(again, 3000); });
  };
  T.timer = setTimeout(again, 3000);
  return false;
};

T.jobFacts = function (job) {
  const el = T.el;
  const facts = el("div", { class: "facts", id: "facts" });
  const fact = (k, v) => facts.append(el("span", { class: "muted" }, k), el("span", {}, v));
  fact("state", T.state(job.state));
  fact("owner", job.owner || "-");
  fact("queue", job.queue + " (priority " + job.priority + ")");
  fact("attempt", job.attempt + " (" + job.restarts + " restarts)");
  fact("submitted", T.ago(job.submittedAt));
  if (job.startedAt) fact("started", T.ago(job.startedAt));
  if (job.finishedAt) fact("finished", T.ago(job.finishedAt));
  if (job.durationSec !== undefined) fact("duration", T.duration(job.durationSec));
  if (job.waitingReason) fact("waiting for", job.waitingReason);
  if (job.estimatedStartAt) fact("estimated start", T.ago(job.estimatedStartAt));
  if (job.placement) {
    fact("placement", job.placement.precision + ", " + T.num(job.placement.predictedSamplesPerSec, 1) + " samples/s predicted, "
      + T.num(job.placement.stepTimeSec, 3) + " s/step");
  }
  const t = job.training || {};
  if (t.metrics) fact("metrics", Object.entries(t.metrics).sort().map(([k, v]) => k + "=" + T.short(v)).join("  "));
  if (t.stepsPerSec) fact("pace", T.short(t.stepsPerSec) + " steps/s");
  if (t.estimatedEndAt && ["RUNNING", "PLACED"].includes(job.state)) fact("ends", T.ago(t.estimatedEndAt));
  return facts;
};

T.jobActions = function (job) {
  const el = T.el, id = encodeURIComponent(job.id);
  const done = ["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.state);
  const cancel = el("button", { id: "cancel-button", type: "button", disabled: done || job.cancelRequested, onclick: async () => {
    try { await T.api("/v1/jobs/" + id, { method: "DELETE" }); T.notify("cancel requested for " + job.id); }
    catch (e) { T.notify("could not cancel: " + e.message, true); }
  } }, "Cancel");
  const resubmit = el("button", { id: "resubmit-button", type: "button", onclick: async () => {
    try {
      const r = await T.api("/v1/jobs/" + id + "/resubmit", { method: "POST" });
      T.notify("resubmitted as " + r.id);
      location.hash = "#/jobs/" + encodeURIComponent(r.id);
    } catch (e) { T.notify("could not resubmit: " + e.message, true); }
  } }, "Resubmit");
  return [cancel, resubmit];
};

/** The events drawn on the curves: the split's changes and the gang's new attempts. */
T.MARKED = { REBALANCED: "re-split", RESTARTING: "restart", GREW: "grew", SHRUNK: "shrank", PREEMPTED: "preempted" };

/** The curves: each loss-like metric, then samples/s measured per vendor against predicted, with the events marked. */
T.curves = function (curve, events) {
  const marks = events.filter(e => T.MARKED[e.type]).map(e => [Date.parse(e.at), T.MARKED[e.type]]);
  const pts = curve.points || [];
  const at = p => Date.parse(p.at);
  const names = [...new Set(pts.flatMap(p => Object.keys(p.metrics || {})))];
  const losses = names.filter(n => n.includes("loss"));
  const shown = losses.length ? losses : names.slice(0, 2);
  const metric = T.chart("chart-loss", shown.length ? shown.join(", ") : "loss", shown.map(n => ({
    name: n, points: pts.filter(p => p.metrics && p.metrics[n] !== undefined).map(p => [at(p), p.metrics[n]]) })), null, marks);
  const vendors = [...new Set(pts.flatMap(p => Object.keys(p.samplesPerSecByVendor || {})))].sort();
  const rates = vendors.map(v => ({ name: v, points: pts.filter(p => p.samplesPerSecByVendor[v] !== undefined)
    .map(p => [at(p), p.samplesPerSecByVendor[v]]) }));
  rates.push({ name: "measured", colour: 4, points: pts.filter(p => p.samplesPerSec !== undefined).map(p => [at(p), p.samplesPerSec]) });
  rates.push({ name: "predicted", colour: 5, dashed: true, points: pts.filter(p => p.predictedSamplesPerSec !== undefined)
    .map(p => [at(p), p.predictedSamplesPerSec]) });
  return [T.chart("chart-rate", "samples/s: measured per vendor and in all, against predicted", rates, "samples/s", marks), metric];
};

T.failureView = function (job) {
  const el = T.el;
  if (!job.failure) return [];
  return [el("h2", {}, "First failure"), el("p", { class: "error", id: "failure" }, job.failure.summary),
    el("pre", {}, (job.failure.outputTail || []).join("\n"))];
};

T.shardsView = function (job) {
  const el = T.el, shards = job.shards || [];
  if (!shards.length) return [];
  const images = shards.some(s => s.image); // a column for the image only when a shard runs in one
  const head = ["Shard", "Node", "Chip", "Devices", "Micro-batch", "Phase", "Outcome", "Step", "Samples/s", "Predicted", "Exit"];
  return [el("h2", {}, "Shards"), T.table("shards", images ? head.concat(["Image"]) : head, shards.map(s => {
    const row = [s.shard, s.node, s.chipType, (s.devices || []).join(","),
      s.microBatch + (s.accumulation > 1 ? "x" + s.accumulation : ""), s.phase, el("span", { class: "outcome " + (s.outcome || "") }, s.outcome || "-"),
      s.step === undefined ? "-" : s.step + (s.totalSteps ? "/" + s.totalSteps : ""), T.num(s.measuredSamplesPerSec, 1),
      T.num(s.predictedSamplesPerSec, 1), s.signal || (s.exitCode === undefined ? "-" : s.exitCode)];
    return images ? row.concat([el("span", { title: s.imageDigest || "" }, (s.image || "host") + (s.variant ? " (" + s.variant + ")" : ""))]) : row;
  }))];
};

/**
 * The log of one shard: the first that failed, else shard 0 (regression: it showed shard 0 even
 * when shard 1 failed). While the job runs it follows the log as it grows; a download saves the
 * whole of it.
 */
T.logPanel = function (box, job) {
  const el = T.el, shards = job.shards || [];
  if (!shards.length) return;
  const first = job.failure ? job.failure.shard : 0;
  const pick = el("select", { id: "log-shard" }, ...shards.map(s => el("option", { value: s.shard, selected: s.shard === first },
    "shard " + s.shard + (job.failure && s.shard === job.failure.shard ? " (failed first)" : ""))));
  const log = el("pre", { id: "log" }, "loading...");
  const path = () => "/v1/jobs/" + encodeURIComponent(job.id) + "/shards/" + pick.value + "/log";
  const live = ["RUNNING", "PLACED", "PREEMPTING"].includes(job.state);
  const load = async () => {
    if (T.logAbort) T.logAbort.abort();
    T.logAbort = new AbortController();
    const signal = T.logAbort.signal;
    try {
      const resp = await fetch(path() + "?tail=200" + (live ? "&follow=true" : ""),
        { headers: { Authorization: "Bearer " + T.token() }, signal: signal });
      if (!resp.ok) {
        let why = resp.status + "";
        try { why = (await resp.json()).detail || why; } catch (e) { /* not problem+json */ }
        log.textContent = "no log yet: " + why;
        if (live) setTimeout(() => { if (!signal.aborted) load(); }, 2000); // a worker still starting
        return;
      }
      log.textContent = "";
      const reader = resp.body.getReader(), text = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
        log.append(text.decode(value, { stream: true }));
        if (log.textContent.length > 400000) log.textContent = log.textContent.slice(-300000);
        if (atEnd) log.scrollTop = log.scrollHeight;
      }
      if (!log.textContent) log.textContent = "(empty)";
    } catch (e) {
      if (!signal.aborted) log.textContent = "no log: " + e.message;
    }
  };
  const download = el("button", { id: "log-download", type: "button", onclick: async () => {
    try {
      const text = await T.api(path(), { text: true });
      const a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/plain" })),
        download: job.id + "-shard-" + pick.value + ".log" });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) { T.notify("could not download: " + e.message, true); }
  } }, "Download");
  pick.addEventListener("change", load);
  box.replaceChildren(el("h2", {}, live ? "Log (following)" : "Log (last 200 lines)"), el("div", { class: "toolbar" }, pick, download), log);
  load();
};
