// The back office's reports screen (the Cases tab, "Reports"): cases per form and status (a
// stacked bar chart in plain HTML, and its table), time spent in each status, the SLA per form
// (business hours, paused while the case waits for the citizen) and the ratings; each table has
// a CSV download from the same route (?format=csv&table=...). Words: cases.r.* keys.
"use strict";
const CasesReports = (() => {
  const $ = (id) => document.getElementById(id);
  const t = (key, values) => I18N.t(key, values);
  const COLORS = ["#1f5eff", "#6941c6", "#b54708", "#067647", "#b42318", "#344054", "#0e7090", "#c11574"];
  let report = null;
  let latest = 0;

  const el = (tag, text, cls) => CasesOffice.el(tag, text, cls);
  const number = (v, digits) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits === undefined ? 1 : digits));
  const percent = (v) => (v === null || v === undefined ? "–" : Math.round(v * 100) + "%");

  function query(extra) {
    const params = new URLSearchParams(extra || {});
    if ($("cases-r-from").value) params.set("from", $("cases-r-from").value + "T00:00:00Z");
    if ($("cases-r-to").value) params.set("to", $("cases-r-to").value + "T23:59:59Z");
    return params.toString();
  }

  async function load() {
    const mine = ++latest;  // the last request wins
    $("cases-r-range").textContent = t("cases.r.loading");
    let data;
    try { data = await CasesOffice.api("GET", "/api/v1/backoffice/reports?" + query()); } catch (error) {
      if (mine === latest) $("cases-r-range").textContent = CasesOffice.problem(error);
      return;
    }
    if (mine !== latest) return;
    report = data;
    if (!$("cases-r-from").value) $("cases-r-from").value = data.from.slice(0, 10);
    if (!$("cases-r-to").value) $("cases-r-to").value = data.to.slice(0, 10);
    render();
  }

  // A table with its heading, an optional chart before it and its CSV download after it.
  function section(key, title, columns, rows, chart) {
    const box = el("section", null, "cases-report");
    const heading = el("h3", title);
    heading.id = "cases-r-" + key + "-title";
    box.setAttribute("aria-labelledby", heading.id);
    box.append(heading);
    if (!rows.length) {
      box.append(el("p", t("cases.r.empty"), "muted"));
      return box;
    }
    if (chart) box.append(chart(heading.id));
    const table = el("table");
    table.id = "cases-r-" + key;
    const head = el("tr");
    columns.forEach((c) => { const th = el("th", c); th.scope = "col"; head.append(th); });
    table.append(el("thead"));
    table.tHead.append(head);
    const body = el("tbody");
    rows.forEach((row) => {
      const tr = el("tr");
      row.forEach((cell, i) => { const td = el(i === 0 ? "th" : "td", cell); if (i === 0) td.scope = "row"; tr.append(td); });
      body.append(tr);
    });
    table.append(body);
    const wrap = el("div", null, "table-wrap");
    Object.assign(wrap, { tabIndex: 0 });
    wrap.setAttribute("role", "group");
    wrap.setAttribute("aria-labelledby", heading.id);
    wrap.append(table);
    const link = el("a", t("cases.r.csv", { name: title }));
    link.href = "/api/v1/backoffice/reports?" + query({ format: "csv", table: key });
    link.setAttribute("download", "");
    const download = el("p");
    download.append(link);
    box.append(wrap, download);
    return box;
  }

  // Stacked bars in plain HTML (widths set through the CSSOM, which the page's CSP allows, so
  // they follow the screen's width): one bar per form, one segment per status, and a legend.
  function stacked(forms, statuses, counts) {
    return (labelledBy) => {
      const total = (form) => statuses.reduce((sum, s) => sum + (counts.get(form + "|" + s) || 0), 0);
      const max = Math.max(1, ...forms.map(total));
      const chart = el("div", null, "cases-bars");
      chart.setAttribute("role", "img");
      chart.setAttribute("aria-labelledby", labelledBy);
      forms.forEach((form) => {
        const bar = el("span", null, "cases-bar");
        statuses.forEach((status, k) => {
          const n = counts.get(form + "|" + status) || 0;
          if (!n) return;
          const part = el("span", null, "cases-seg");
          part.style.width = (100 * n) / max + "%";
          part.style.background = COLORS[k % COLORS.length];
          part.title = `${CasesWords.statusLabel(form, status)}: ${n}`;
          bar.append(part);
        });
        const row = el("div", null, "cases-bar-row");
        row.append(el("span", CasesWords.formTitle(form), "cases-bar-label"), bar, el("span", total(form), "cases-bar-total"));
        chart.append(row);
      });
      const legend = el("div", null, "cases-legend");
      statuses.forEach((status, k) => {
        const swatch = el("span", null, "cases-swatch");
        swatch.style.background = COLORS[k % COLORS.length];
        const item = el("span");
        item.append(swatch, CasesWords.statusLabel(null, status));
        legend.append(item);
      });
      chart.append(legend);
      return chart;
    };
  }

  function render() {
    if (!report) return;
    const title = CasesWords.formTitle, label = CasesWords.statusLabel;
    $("cases-r-range").textContent = t("cases.r.range", { from: CasesWords.when(report.from), to: CasesWords.when(report.to) });
    const finished = report.sla.reduce((sum, s) => sum + s.finished, 0), met = report.sla.reduce((sum, s) => sum + s.met, 0);
    const rated = report.ratings.reduce((sum, r) => sum + r.n, 0);
    const mean = rated ? report.ratings.reduce((sum, r) => sum + r.mean * r.n, 0) / rated : null;
    $("cases-r-cards").replaceChildren(...[[t("cases.r.total"), report.cases], [t("cases.r.within_sla"), finished ? percent(met / finished) : "–"],
      [t("cases.r.mean_rating"), mean === null ? "–" : number(mean, 2)], [t("cases.r.open_reviews"), report.open_reviews]].map(([name, value]) => {
      const card = el("div", null, "card");
      card.append(el("b", value), el("span", name, "muted"));
      return card;
    }));
    // statuses in workflow order (as the forms declare them), then any others
    const order = [];
    CasesWords.forms.forEach((f) => f.statuses.forEach((s) => { if (!order.includes(s.id)) order.push(s.id); }));
    [...report.per_form_and_status, ...report.time_in_status].forEach((r) => { if (!order.includes(r.status)) order.push(r.status); });
    const statuses = order.filter((s) => report.per_form_and_status.some((r) => r.status === s));
    const forms = [...new Set(report.per_form_and_status.map((r) => r.form))];
    const counts = new Map(report.per_form_and_status.map((r) => [r.form + "|" + r.status, r.cases]));
    const pivot = forms.map((f) => [title(f), ...statuses.map((s) => counts.get(f + "|" + s) || 0),
      statuses.reduce((sum, s) => sum + (counts.get(f + "|" + s) || 0), 0)]);
    $("cases-r-tables").replaceChildren(
      section("per_form_and_status", t("cases.r.per_status"), [t("cases.r.form"), ...statuses.map((s) => label(null, s)), t("cases.r.total")],
        pivot, stacked(forms, statuses, counts)),
      section("time_in_status", t("cases.r.time_in_status"),
        [t("cases.r.form"), t("cases.r.status"), t("cases.r.cases"), t("cases.r.mean_h"), t("cases.r.median_h"), t("cases.r.p90_h")],
        [...report.time_in_status].sort((a, b) => a.form.localeCompare(b.form) || order.indexOf(a.status) - order.indexOf(b.status))
          .map((r) => [title(r.form), label(r.form, r.status), r.n, number(r.mean_h), number(r.median_h), number(r.p90_h)])),
      section("sla", t("cases.r.sla"),
        [t("cases.r.form"), t("cases.r.sla_hours"), t("cases.r.finished"), t("cases.r.met"), t("cases.r.attainment"), t("cases.r.open"),
          t("cases.r.open_breached"), t("cases.r.business_median_h"), t("cases.r.waiting_median_h")],
        report.sla.map((s) => [title(s.form), number(s.sla_hours, 0), s.finished, s.met, percent(s.attainment), s.open, s.open_breached,
          number(s.business_hours.median_h), number(s.waiting_for_citizen_hours.median_h)])),
      section("ratings", t("cases.r.ratings"),
        [t("cases.r.form"), t("cases.r.rated"), t("cases.r.mean"), ...[5, 4, 3, 2, 1].map((n) => CasesWords.ratingName(n))],
        report.ratings.map((r) => [title(r.form), r.n, number(r.mean, 2), ...["5", "4", "3", "2", "1"].map((n) => r.by_rating[n] || 0)])),
    );
    const note = el("p", t("cases.r.sla_note"), "muted");
    const sla = $("cases-r-sla-title");
    if (sla) sla.after(note);
  }

  // the form is in cases.html, put into the page later: listen on the document
  document.addEventListener("submit", (event) => {
    if (event.target && event.target.id === "cases-report-form") { event.preventDefault(); load(); }
  });
  return { load, render };
})();
