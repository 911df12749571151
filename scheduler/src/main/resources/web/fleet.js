// Tessera's web console: queues (use against quota and fair share, device quotas), nodes (with
// drain, undrain and accept for admins), and the fleet (devices per vendor, and how much of each
// vendor has been in use over time, as the scheduler keeps it).
"use strict";

T.views.queues = async function (view) {
  const el = T.el;
  const answer = await T.api("/v1/queues");
  const rows = answer.queues.map(q => {
    const spec = q.queue, quota = spec.quota || {};
    const devices = Object.entries(quota.devices || {}).map(([c, n]) => c + " " + ((q.usedDevices || {})[c] || 0) + "/" + n).join(", ");
    return [spec.name, T.num(spec.weight, 1), spec.cohort || "-",
      T.meter(q.usedTflops, quota.tflops), devices || "-", T.num(q.borrowedTflops, 1), T.num(q.fairShareTflops, 1),
      q.pendingJobs, q.pendingDevices];
  });
  view.replaceChildren(el("h1", {}, "Queues"),
    el("p", { class: "muted" }, "Use in normalized TFLOPS against the queue's quota; device quotas as used/quota per chip type."),
    T.table("queues", ["Queue", "Weight", "Cohort", "Used / quota TFLOPS", "Devices used / quota", "Borrowed", "Fair share",
      "Pending jobs", "Pending devices"], rows));
};

/** "12.0 / 40.0" with a bar; without a quota just the use. */
T.meter = function (used, quota) {
  const el = T.el;
  if (quota === undefined || quota === null) return T.num(used, 1);
  const fill = el("span", {});
  fill.style.width = Math.min(100, 100 * used / Math.max(quota, 1e-9)).toFixed(0) + "%";
  return el("span", { class: "progress" }, el("span", { class: "bar" }, fill), T.num(used, 1) + " / " + T.num(quota, 1));
};

T.views.nodes = async function (view) {
  const el = T.el;
  const answer = await T.api("/v1/nodes");
  const act = (name, action, query, said) => async () => {
    try {
      await T.api("/v1/nodes/" + encodeURIComponent(name) + "/" + action + (query || ""), { method: "POST" });
      T.notify(name + ": " + (said || action + (action.endsWith("e") ? "d" : "ed")));
      T.render();
    } catch (e) { T.notify(name + ": could not " + action + ": " + e.message, true); }
  };
  const rows = answer.nodes.map(n => {
    const c = n.deviceCounts, chips = [...new Set((n.devices || []).map(d => d.chipType))].join(", ");
    const buttons = T.admin ? el("span", { class: "actions" },
      el("button", { type: "button", class: "drain", "data-node": n.name, onclick: act(n.name, n.drained ? "undrain" : "drain") },
        n.drained ? "Undrain" : "Drain"),
      n.drained || !c.allocated ? "" : el("button", { type: "button", class: "evacuate", "data-node": n.name,
        title: "drain, and have the jobs running here checkpoint and move elsewhere (no restart spent)",
        onclick: act(n.name, "drain", "?evacuate=true", "drained; its jobs checkpoint and move") }, "Drain and move jobs"),
      el("button", { type: "button", class: "accept", "data-node": n.name, onclick: act(n.name, "accept") }, "Accept")) : "";
    return [n.name, n.address, el("span", { class: "state " + n.state }, n.state + (n.drained ? ", drained" : "")), chips,
      c.free, c.allocated, c.unhealthy, T.num(n.heartbeatAgeMs / 1000, 1) + " s", buttons];
  });
  view.replaceChildren(el("h1", {}, "Nodes"), T.table("nodes", ["Node", "Address", "State", "Chips", "Free", "Allocated",
    "Unhealthy", "Heard", T.admin ? "Admin" : ""], rows));
};

/**
 * Devices in use per vendor over time: the series the scheduler keeps (GET /v1/fleet/usage: a
 * point a minute, thinned as it ages), ending with the fleet as it is now.
 */
T.fleetUsage = function (usage, byVendor, now) {
  const series = {};
  for (const p of usage.points) {
    const at = Date.parse(p.at);
    for (const [vendor, u] of Object.entries(p.vendors)) (series[vendor] || (series[vendor] = [])).push([at, u.percent]);
  }
  for (const [vendor, v] of Object.entries(byVendor)) {
    const s = series[vendor] || (series[vendor] = []);
    if (!s.length || s[s.length - 1][0] < now) s.push([now, v.all > 0 ? 100 * v.used / v.all : 0]);
  }
  return Object.entries(series).sort().map(([vendor, points]) => ({ name: vendor, points: points }));
};

T.views.fleet = async function (view) {
  const el = T.el;
  const [fleet, usage] = await Promise.all([T.api("/v1/fleet"), T.api("/v1/fleet/usage")]);
  const byVendor = {};
  for (const c of fleet.chips) {
    const v = byVendor[c.vendor] || (byVendor[c.vendor] = { used: 0, all: 0 });
    v.used += c.allocated;
    v.all += c.devices - c.unhealthy;
  }
  const rows = fleet.chips.map(c => [c.vendor, c.chipType, c.nodes, c.devices, c.free, c.allocated, c.unhealthy, T.num(c.freeBf16Tflops, 0)]);
  const t = fleet.total;
  rows.push([el("strong", {}, "total"), "", t.nodes, t.devices, t.free, t.allocated, t.unhealthy, T.num(t.freeBf16Tflops, 0)]);
  const since = usage.points.length ? " since " + new Date(usage.points[0].at).toLocaleString() : "";
  view.replaceChildren(el("h1", {}, "Fleet"), T.table("fleet", ["Vendor", "Chip", "Nodes", "Devices", "Free", "Allocated",
    "Unhealthy", "Free BF16 TFLOPS"], rows),
  T.chart("chart-utilization", "devices in use per vendor, % of healthy devices" + since
    + " (kept by the scheduler: a point a minute, thinned as it ages)", T.fleetUsage(usage, byVendor, Date.now()), "%"));
};
