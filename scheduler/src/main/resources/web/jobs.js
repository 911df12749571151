// Tessera's web console: the jobs list (filters, search, paging, relative times) and the submit
// page (a YAML editor checked by the API's dry run before anything is submitted).
"use strict";

T.listState = { state: "", queue: "", search: "", cursors: [null], page: 0 };

T.views.jobs = async function (view) {
  const el = T.el, s = T.listState;
  const q = new URLSearchParams({ limit: "25" });
  if (s.state) q.set("state", s.state);
  if (s.queue) q.set("queue", s.queue);
  if (s.cursors[s.page]) q.set("cursor", s.cursors[s.page]);
  const page = await T.api("/v1/jobs?" + q);
  s.cursors[s.page + 1] = page.nextCursor || null;
  const words = s.search.toLowerCase();
  const jobs = page.jobs.filter(j => !words || (j.id + " " + j.name + " " + (j.owner || "")).toLowerCase().includes(words));
  const rows = jobs.map(j => [
    el("a", { href: "#/jobs/" + encodeURIComponent(j.id), class: "job-link" }, j.id), j.name, j.owner || "-", j.queue,
    T.state(j.state), (j.shards || []).length || "-", T.ago(j.submittedAt),
    j.estimatedStartAt ? el("span", {}, "starts ", T.ago(j.estimatedStartAt)) : j.waitingReason || (j.failure ? j.failure.summary : "")]);
  const filters = T.jobFilters(s);
  view.replaceChildren(el("h1", {}, "Jobs"), filters,
    rows.length ? T.table("jobs", ["Job", "Name", "Owner", "Queue", "State", "Shards", "Submitted", "Waiting for / starts / failure"], rows)
      : el("p", { id: "no-jobs" }, s.search || s.state || s.queue ? "No job matches." : "No jobs yet: submit one."),
    el("div", { class: "toolbar" },
      el("button", { id: "prev-page", type: "button", disabled: s.page === 0, onclick: () => { s.page--; T.render(); } }, "Newer"),
      el("span", { class: "muted" }, "page " + (s.page + 1)),
      el("button", { id: "next-page", type: "button", disabled: !page.nextCursor, onclick: () => { s.page++; T.render(); } }, "Older")));
  return !document.activeElement || document.activeElement.tagName !== "INPUT";
};

T.jobFilters = function (s) {
  const el = T.el;
  const states = ["", "QUEUED", "PLACED", "RUNNING", "PREEMPTING", "SUCCEEDED", "FAILED", "CANCELLED"];
  const pick = el("select", { id: "filter-state", onchange: ev => { s.state = ev.target.value; s.page = 0; s.cursors = [null]; T.render(); } },
    ...states.map(v => el("option", { value: v, selected: v === s.state }, v || "any state")));
  const queue = el("input", { id: "filter-queue", placeholder: "queue", value: s.queue,
    onchange: ev => { s.queue = ev.target.value.trim(); s.page = 0; s.cursors = [null]; T.render(); } });
  const search = el("input", { id: "search", type: "search", placeholder: "search id, name, owner", value: s.search,
    oninput: ev => { s.search = ev.target.value; }, onchange: () => T.render() });
  return el("div", { class: "toolbar" }, pick, queue, search, el("a", { href: "#/submit", class: "button" }, "Submit a job"));
};

T.EXAMPLE = "name: my-job\ncommand: [python3, train.py]\nshards: 2\ndevicesPerShard: 4\nmodel: {parameters: 1.3B, tokensPerSample: 2048}\n"
  + "globalBatch: 512\nprecisions: [bf16]\n";

T.views.submit = async function (view) {
  const el = T.el;
  if (document.getElementById("editor")) return false; // being edited: leave it alone
  const editor = el("textarea", { id: "editor", rows: 18, spellcheck: "false" });
  editor.value = sessionStorage.getItem("tessera.draft") || T.EXAMPLE;
  editor.addEventListener("input", () => sessionStorage.setItem("tessera.draft", editor.value));
  const out = el("div", { id: "check" });
  const check = async () => {
    out.replaceChildren(el("p", { class: "muted" }, "checking..."));
    try {
      const plan = await T.api("/v1/plan", { method: "POST", type: "application/yaml", body: editor.value });
      out.replaceChildren(T.planView(plan));
      return true;
    } catch (e) {
      out.replaceChildren(el("pre", { class: "error", id: "check-error" }, e.message));
      return false;
    }
  };
  const submit = async () => {
    try {
      const created = await T.api("/v1/jobs", { method: "POST", type: "application/yaml", body: editor.value });
      T.notify("submitted " + created.id);
      location.hash = "#/jobs/" + encodeURIComponent(created.id);
    } catch (e) {
      out.replaceChildren(el("pre", { class: "error", id: "check-error" }, e.message));
    }
  };
  view.replaceChildren(el("h1", {}, "Submit a job"),
    el("p", { class: "muted" }, "A job spec in YAML (docs/api.md). Check shows where it would run now; nothing is submitted until Submit."),
    editor, el("div", { class: "toolbar" }, el("button", { id: "check-button", type: "button", onclick: check }, "Check"),
      el("button", { id: "submit-button", type: "button", onclick: submit }, "Submit")), out);
  return false;
};

/** What the dry run says: where each shard would go and at what rate, or why it does not fit. */
T.planView = function (plan) {
  const el = T.el;
  if (!plan.feasible) {
    const why = (plan.vetoes || []).map(v => [v.chipType || "-", v.detail || v.reason])
      .concat((plan.chips || []).filter(c => c.veto).map(c => [c.chipType, c.veto.detail || c.veto.reason]));
    return el("div", { id: "plan" }, el("p", { class: "error" }, "Does not fit now: " + (plan.summary || "")),
      why.length ? T.table("plan-vetoes", ["Chip", "Why not"], why) : null);
  }
  return el("div", { id: "plan" }, el("p", {}, "Would run at " + plan.precision + ", " + T.num(plan.predictedSamplesPerSec, 1)
      + " samples/s predicted, " + T.num(plan.stepTimeSec, 3) + " s/step"),
    T.table("plan-shards", ["Shard", "Node", "Chip", "Devices", "Micro-batch", "Samples/s"], (plan.shards || []).map(s =>
      [s.shard, s.node, s.chipType, (s.devices || []).join(","), s.microBatch, T.num(s.samplesPerSec, 1)])));
};
