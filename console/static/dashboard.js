// The supervisor's dashboard in the agent console: the hand-off report of a date range (by
// default the last 7 days, shown in the date fields), as cards and tables. Uses console.js's
// state and helpers; every word from the catalogues, numbers and dates for the language.
"use strict";

$("tab-dashboard").addEventListener("click", async () => {
  $("desk-view").hidden = true;
  $("dashboard-view").hidden = false;
  $("tab-dashboard").setAttribute("aria-pressed", "true");
  $("tab-desk").setAttribute("aria-pressed", "false");
  $("dashboard-title").focus();
  await loadReport();
});

function row(table, cells) {
  const tr = el("tr");
  cells.forEach((cell) => tr.appendChild(el("td", cell)));
  $(table).querySelector("tbody").appendChild(tr);
}

/** A report's day ("2025-03-14") as the language writes a date. */
function day(text) {
  return new Date(text + "T00:00:00Z").toLocaleDateString(I18N.locale(), { timeZone: "UTC" });
}

function rating(mean) {
  return mean === null || mean === undefined ? "–" : t("dash.rating_value", { rating: I18N.number(mean) });
}

async function loadReport() {
  const params = new URLSearchParams();
  if ($("report-from").value) params.set("from", $("report-from").value + "T00:00:00Z");
  if ($("report-to").value) params.set("to", $("report-to").value + "T23:59:59Z");
  let report;
  try { report = await api("GET", "/api/v1/reports/handoff?" + params.toString()); } catch (error) {
    sayProblem($("report-range"), error);
    return;
  }
  // the fields show the range the report used (by default the last 7 days)
  if (!$("report-from").value) $("report-from").value = report.from.slice(0, 10);
  if (!$("report-to").value) $("report-to").value = report.to.slice(0, 10);
  state.report = report;
  renderReport(report);
}

function renderReport(report) {
  say($("report-range"), "dash.range", { from: I18N.dateTime(report.from), to: I18N.dateTime(report.to) });
  const variant = $("report-business").checked ? "business_hours" : "calendar";
  const o = report.overall[variant];
  const d = I18N.duration, pct = (x) => I18N.percent(x), n = I18N.number;
  const cards = $("report-cards");
  clear(cards);
  [["dash.tickets", n(o.tickets)], ["dash.picked_up", n(o.picked_up)], ["dash.mean_pickup", d(o.pickup_s.mean)],
   ["dash.p90_pickup", d(o.pickup_s.p90)], ["dash.first_response", d(o.first_response_s.mean)],
   ["dash.mean_reply", d(o.agent_reply_s.mean)], ["dash.p90_reply", d(o.agent_reply_s.p90)],
   ["dash.mean_resolution", d(o.resolution_s.mean)], ["dash.abandonment", pct(o.abandonment_rate)],
   ["dash.rating", rating(o.rating.mean)]].forEach(([key, value]) => {
    const card = el("div", null, "card");
    card.appendChild(el("b", value));
    card.appendChild(el("span", t(key), "muted"));
    cards.appendChild(card);
  });
  ["sla-table", "agent-table", "team-table", "day-table"].forEach((id) => clear($(id).querySelector("tbody")));
  Object.entries(o.sla_pickup).forEach(([priority, s]) => row("sla-table",
    [t(priority === "1" ? "dash.priority_simple" : "dash.priority_normal"), d(s.target_s), n(s.met), n(s.eligible), pct(s.attainment)]));
  Object.entries(report.by_agent).forEach(([name, v]) => { const f = v[variant]; row("agent-table",
    [name, n(f.tickets), n(f.picked_up), d(f.pickup_s.mean), d(f.agent_reply_s.mean), d(f.agent_reply_s.p90), rating(f.rating.mean)]); });
  Object.entries(report.by_team).forEach(([name, v]) => { const f = v[variant]; row("team-table",
    [name, n(f.tickets), d(f.pickup_s.mean), pct(f.abandonment_rate), d(f.resolution_s.mean)]); });
  Object.entries(report.by_day).forEach(([date, v]) => { const f = v[variant]; row("day-table",
    [day(date), n(f.tickets), d(f.pickup_s.mean), d(f.pickup_s.p90), pct(f.abandonment_rate)]); });
}

$("report-form").addEventListener("submit", (event) => { event.preventDefault(); loadReport(); });
$("report-business").addEventListener("change", () => { if (state.report) renderReport(state.report); else loadReport(); });
