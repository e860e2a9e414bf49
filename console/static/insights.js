// Insights screens of the agent console: every figure from its JSON route, drawn as an SVG
// chart (presentation attributes only: the page's CSP allows no inline style), each with a
// table alternative (one row per data point) and a CSV download. Supervisors see every
// figure; editors the stale guides and the unanswered-question groups. Every word from the
// catalogues (I18N.t, keys ins.*), numbers and dates for the language; requests through Api.
"use strict";
(() => {
  const { COLORS, W, H, t, col, el, svg, fmt, pct, scale, figure, lines, bars } = window.InsightsCharts;
  const $ = (id) => document.getElementById(id);
  const get = (path) => Api.request("GET", path);
  const weekday = (day) => t("ins.day." + day);
  let me = null;

  function range() {
    const params = new URLSearchParams();
    if ($("ins-from").value) params.set("from", $("ins-from").value + "T00:00:00Z");
    if ($("ins-to").value) params.set("to", $("ins-to").value + "T23:59:59Z");
    return params.toString();
  }

  async function outcomes(box) {
    const q = range();
    const data = await get("/api/v1/insights/outcomes?" + q);
    const days = data.days.filter((d) => d.sessions || d.answered || d.clarified || d.declined || d.handed_off || d.forms_started);
    const labels = days.map((d) => d.day.slice(5));
    const csv = "/api/v1/insights/outcomes?format=csv&" + q;
    const keys = ["answered", "clarified", "declined", "handed_off", "forms_started", "forms_submitted", "forms_abandoned", "forms_in_progress"];
    box.append(figure(t("ins.outcomes"), csv, ["day", ...keys].map(col),
      days.map((d) => [d.day, ...keys.map((k) => d[k])]),
      lines(labels, keys.slice(0, 5).map((k) => ({ name: col(k), values: days.map((d) => d[k]) })))));
    const contained = days.filter((d) => d.sessions);
    box.append(figure(t("ins.containment"), null,
      ["day", "sessions", "contained", "containment"].map(col),
      contained.map((d) => [d.day, d.sessions, d.contained, pct(d.containment)]),
      lines(contained.map((d) => d.day.slice(5)), [{ name: col("containment"), values: contained.map((d) => d.containment) }], pct, 1)));
    satisfaction(box, data, q);
    const channels = Object.entries(data.by_channel), langs = Object.entries(data.by_lang);
    const groups = [...channels.map(([k, v]) => [t("ins.group_channel", { name: k }), v]), ...langs.map(([k, v]) => [t("ins.group_language", { name: k }), v])];
    box.append(figure(t("ins.by_group"), null, ["group", "sessions", "answered", "declined", "handed_off", "containment"].map(col),
      groups.map(([k, v]) => [k, v.sessions, v.answered, v.declined, v.handed_off, pct(v.containment)]),
      bars(groups.map(([k, v]) => ({ label: k, value: v.containment || 0 })), pct)));
  }

  // handoff ratings (1-5) and case ratings (the 好差评 levels), apart; one CSV for both
  function satisfaction(box, data, q) {
    const csv = "/api/v1/insights/satisfaction?format=csv&" + q;
    const rated = data.handoff_ratings.filter((r) => r.count);
    box.append(figure(t("ins.ratings"), csv, ["day", "ratings", "mean"].map(col),
      rated.map((r) => [r.day, r.count, r.mean]),
      lines(rated.map((r) => r.day.slice(5)), [{ name: col("mean_rating"), values: rated.map((r) => r.mean) }], null, 5)));
    const cases = data.case_ratings.filter((r) => r.count);
    const levels = ["5", "4", "3", "2", "1"];
    box.append(figure(t("ins.case_ratings"), csv,
      [...["day", "ratings", "mean"].map(col), ...["level_5", "level_4", "level_3", "level_2", "level_1", "good_share"].map(col)],
      cases.map((r) => [r.day, r.count, r.mean, ...levels.map((l) => r.levels[l]), pct(r.good_share)]),
      lines(cases.map((r) => r.day.slice(5)), [{ name: col("mean_rating"), values: cases.map((r) => r.mean) }], null, 5)));
  }

  async function funnel(box) {
    const q = range();
    const data = await get("/api/v1/insights/funnel?" + q);
    if (!data.forms.length) {
      box.append(figure(t("ins.funnel"), "/api/v1/insights/funnel?format=csv&" + q, ["form", "mode", "stage", "count", "dropped", "in_progress", "median_s"].map(col), [], null));
    }
    data.forms.forEach((f) => {
      const named = { form: f.form, mode: t("ins.mode." + f.mode) };
      const stages = [[t("ins.stage_started"), f.started, null, null, null],
        ...f.steps.map((s) => [s.summary ? t("ins.stage_summary") : t("ins.stage_step", { n: s.step }), s.reached, s.dropped, s.in_progress, s.median_s]),
        [t("ins.stage_submitted"), f.submitted, null, null, null]];
      box.append(figure(t("ins.funnel_form", named), "/api/v1/insights/funnel?format=csv&" + q,
        ["stage", "count", "dropped", "in_progress", "median_s"].map(col), stages,
        bars(stages.map(([label, value]) => ({ label, value })))));
      const fields = Object.entries(f.validation_failures);
      if (fields.length) {
        box.append(figure(t("ins.refused", named), null, ["field", "refused"].map(col), fields,
          bars(fields.map(([label, value]) => ({ label, value, color: COLORS[1] })))));
      }
    });
  }

  async function demand(box, plan) {
    const data = await get("/api/v1/insights/demand");
    const agents = new Map((plan.by_hour || []).filter((c) => c.agents_erlang_c !== undefined)
      .map((c) => [c.weekday + c.hour, c.agents_erlang_c]));
    const cells = data.cells;
    const list = el("div", { id: "ins-cell-tickets", role: "status" });
    async function open(cell) {
      const body = await get(`/api/v1/insights/demand/tickets?weekday=${cell.weekday}&hour=${cell.hour}`);
      list.replaceChildren(el("h4", {}, t("ins.cell_tickets", { day: weekday(cell.weekday), hour: cell.hour })));
      const ul = el("ul", { class: "ins-cell-list" });
      body.tickets.forEach((x) => ul.append(el("li", {}, [t("ticket.number", { id: x.id }), I18N.dateTime(x.created_at), t("kind." + x.kind),
        t("ticket_status." + x.status), x.team || t("ins.general_team"), x.topic].filter(Boolean).join(" · "))));
      if (!body.tickets.length) ul.append(el("li", { class: "muted" }, t("ins.no_tickets")));
      list.append(ul);
    }
    const rows = cells.map((c) => {
      const button = el("button", { type: "button", class: "secondary ins-open" }, t("ins.open_tickets"));
      button.addEventListener("click", () => open(c));
      return [weekday(c.weekday) + " " + String(c.hour).padStart(2, "0") + ":00", c.count, button];
    });
    const max = scale(Math.max(0, ...cells.map((c) => c.count)));
    const draw = (chart) => {
      const cw = (W - 50) / 24, ch = (H - 30) / 7;
      ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].forEach((d, i) => chart.append(svg("text", { x: 4, y: 14 + i * ch + ch / 2, "font-size": 11, fill: "#1d2330" }, weekday(d))));
      for (let h = 0; h < 24; h += 3) chart.append(svg("text", { x: 44 + h * cw, y: H - 6, "font-size": 11, fill: "#555e6e" }, String(h)));
      cells.forEach((c) => {
        const i = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].indexOf(c.weekday);
        const shade = c.count ? 0.15 + (0.85 * c.count) / max : 0;
        const rect = svg("rect", { x: 44 + c.hour * cw, y: 4 + i * ch, width: cw - 1, height: ch - 1, fill: c.count ? "#1f5eff" : "#f2f4f7", "fill-opacity": c.count ? shade.toFixed(2) : 1, class: "ins-cell" });
        rect.append(svg("title", {}, t("ins.cell_title", { day: weekday(c.weekday), hour: c.hour, count: I18N.number(c.count) })));
        rect.addEventListener("click", () => open(c));
        chart.append(rect);
        const need = agents.get(c.weekday + c.hour);
        if (need) chart.append(svg("text", { x: 44 + c.hour * cw + cw / 2, y: 4 + i * ch + ch / 2 + 4, "text-anchor": "middle", "font-size": 11, fill: shade > 0.5 ? "#fff" : "#1d2330" }, String(need)));
      });
    };
    const rowsWithPlan = rows.map((row, i) => [row[0], row[1], agents.get(cells[i].weekday + cells[i].hour) ?? null, row[2]]);
    const title = t(agents.size ? "ins.demand_plan" : "ins.demand", { total: I18N.number(data.total) });
    const fig = figure(title, "/api/v1/insights/demand?format=csv",
      ["weekday_hour", "requests", "agents_needed", "tickets"].map(col), data.total ? rowsWithPlan : [], draw, t("ins.no_demand"));
    fig.append(list);
    box.append(fig);
    const q = range();
    const pickup = await get("/api/v1/insights/pickup?" + q);
    box.append(figure(t("ins.pickup"), "/api/v1/insights/pickup?format=csv&" + q,
      ["day", "tickets", "picked_up", "median_s", "p90_s", "sla_normal", "sla_simple"].map(col),
      pickup.days.map((d) => [d.day, d.tickets, d.picked_up, d.pickup_median_s, d.pickup_p90_s, pct(d.sla_normal), pct(d.sla_simple)]),
      lines(pickup.days.map((d) => d.day.slice(5)), [{ name: col("median"), values: pickup.days.map((d) => d.pickup_median_s) }, { name: col("p90"), values: pickup.days.map((d) => d.pickup_p90_s) }])));
    box.append(figure(t("ins.sla"), null, ["day", "normal", "simplified"].map(col),
      pickup.days.map((d) => [d.day, pct(d.sla_normal), pct(d.sla_simple)]),
      lines(pickup.days.map((d) => d.day.slice(5)), [{ name: col("normal"), values: pickup.days.map((d) => d.sla_normal) }, { name: col("simplified"), values: pickup.days.map((d) => d.sla_simple) }], pct, 1)));
  }

  /** Why there is no forecast or no staffing, in words (the route's note is English). */
  function forecastNote(data) {
    if (!data.model) return t(data.history && data.history.arrivals > 0 ? "ins.note_short_history" : "ins.note_no_history");
    return data.aht_s === null || data.aht_s === undefined ? t("ins.note_no_aht") : null;
  }

  async function staffing(box, data) {
    const wape = Object.entries(data.backtest_wape).map(([k, v]) => `${k} ${I18N.percent(v)}`).join(t("ins.list_sep"));
    const note = data.model ? el("p", {}, t("ins.model", { model: data.model, wape, aht: fmt(data.aht_s),
      level: I18N.percent(data.service_level, 0), target: data.service_target_s, chats: data.chats_per_agent })) : null;
    const slots = data.slots;
    const label = (s) => new Date(s.start).toLocaleString(I18N.locale(), { weekday: "short", hour: "2-digit", minute: "2-digit" });
    const fig = figure(t("ins.forecast"), "/api/v1/insights/forecast?format=csv",
      ["slot", "arrivals", "agents_c", "agents_a"].map(col),
      slots.map((s) => [label(s), s.arrivals, s.agents_erlang_c ?? null, s.agents_erlang_a ?? null]),
      lines(slots.map(label), [{ name: col("arrivals"), values: slots.map((s) => s.arrivals) }, { name: col("agents_c_short"), values: slots.map((s) => s.agents_erlang_c ?? null) }, { name: col("agents_a_short"), values: slots.map((s) => s.agents_erlang_a ?? null) }]),
      forecastNote(data) || t("ins.no_forecast"));
    const why = forecastNote(data);
    if (why && note) note.append(" " + why);
    fig.insertBefore(note || el("p", { class: "muted" }, why || ""), fig.children[1]);
    box.append(fig);
  }

  async function guides(box) {
    const data = await get("/api/v1/insights/guides");
    const rows = data.guides;
    box.append(figure(t("ins.guides", { days: data.max_age_days }), "/api/v1/insights/guides?format=csv",
      ["guide", "language", "reviewed", "age_days", "stale"].map(col),
      rows.map((g) => [g.id, g.lang, g.reviewed, g.age_days, t(g.stale ? "ins.stale" : "ins.ok")]),
      bars(rows.map((g) => ({ label: `${g.id} (${g.lang})`, value: g.age_days, color: g.stale ? COLORS[1] : COLORS[2] })))));
  }

  async function questions(box) {
    const data = await get("/api/v1/insights/questions");
    const status = el("p", { role: "status", class: "notice" });
    const rows = data.clusters.map((c) => {
      const examples = el("ul", { class: "ins-examples" });
      c.examples.forEach((text) => examples.append(el("li", {}, text)));  // textContent only
      const form = el("form", { class: "ins-mark" });
      const choice = el("select", { "aria-label": t("ins.decision_label", { id: c.id }) });
      ["open", "new_guide", "covered", "out_of_scope"]
        .forEach((v) => { const o = el("option", { value: v }, t("ins.mark." + v)); if (v === c.status) o.selected = true; choice.append(o); });
      const guide = el("input", { "aria-label": t("ins.guide_label", { id: c.id }), placeholder: t("ins.guide_placeholder"), value: c.covered_by || c.guide || "" });
      const save = el("button", { type: "submit" }, t("ins.save"));
      const diffLink = el("a", { href: `/api/v1/insights/questions/${c.id}/patch`, download: `group-${c.id}.diff` }, t("ins.diff"));
      form.append(choice, guide, save, diffLink);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await Api.request("POST", `/api/v1/insights/questions/${c.id}/mark`, { status: choice.value, guide: choice.value === "covered" ? guide.value : null });
          status.textContent = t("ins.saved", { id: c.id });
        } catch (error) {
          status.textContent = t("ins.save_failed", { id: c.id, error: Api.problem(error) });
        }
      });
      return [`${c.lang} #${c.id}`, c.size, (c.trend > 0 ? "+" : "") + c.trend, c.guide || "–", examples, form];
    });
    const fig = figure(t("ins.questions"), "/api/v1/insights/questions?format=csv",
      ["group", "questions", "trend", "nearest_guide", "examples", "decision"].map(col), rows,
      bars(data.clusters.map((c) => ({ label: `${c.lang} #${c.id} ${c.examples[0] || ""}`, value: c.size }))),
      t("ins.no_groups"));
    fig.querySelector("details").open = true;  // (its toggle event makes the table reachable)
    fig.append(status);
    // the agents' one-click labels on declined questions (ticket view) feed `civic kb calibrate`
    const labels = data.labels || { total: 0, by_lang: {} };
    fig.append(el("p", { class: "ins-labels" }, labels.total
      ? t("ins.labels", { count: I18N.number(labels.total), en: I18N.number(labels.by_lang.en || 0),
        zh: I18N.number(labels.by_lang.zh || 0), none: I18N.number(labels.no_guide),
        latest: I18N.dateTime(labels.latest) })
      : t("ins.labels_none")));
    box.append(fig);
  }

  function build() {
    const nav = $("nav"), main = document.querySelector("main");
    if (!nav || !main || $("tab-insights")) return;
    const words = (tag, key, attrs, ...children) => el(tag, { ...attrs, "data-i18n": key }, t(key), ...children);
    const tab = words("button", "nav.insights", { type: "button", id: "tab-insights", class: "tab", "aria-pressed": "false", hidden: "" });
    nav.insertBefore(tab, $("whoami"));
    const view = el("section", { id: "insights-view", "aria-labelledby": "insights-title", hidden: "" });
    view.append(words("h2", "ins.heading", { id: "insights-title", tabindex: "-1" }));
    const form = el("form", { id: "ins-range" },
      el("label", {}, words("span", "dash.from"), " ", el("input", { id: "ins-from", type: "date" })),
      el("label", {}, words("span", "dash.to"), " ", el("input", { id: "ins-to", type: "date" })),
      words("button", "dash.show", { type: "submit" }));
    view.append(form, el("div", { id: "ins-figures" }));
    main.append(view);
    form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
    tab.addEventListener("click", () => {
      document.querySelectorAll("main > section, main > div").forEach((s) => { if (s !== view) s.hidden = true; });
      document.querySelectorAll("nav .tab").forEach((t) => t.setAttribute("aria-pressed", String(t === tab)));
      view.hidden = false;
      $("insights-title").focus();
      load();
    });
    document.querySelectorAll("nav .tab").forEach((other) => {
      if (other !== tab) other.addEventListener("click", () => { view.hidden = true; tab.setAttribute("aria-pressed", "false"); });
    });
    new MutationObserver(refresh).observe(nav, { attributes: true, attributeFilter: ["hidden"] });
    refresh();
  }

  async function refresh() {
    const nav = $("nav"), tab = $("tab-insights");
    if (nav.hidden) { tab.hidden = true; $("insights-view").hidden = true; me = null; return; }
    try { me = (await get("/api/v1/agent/me")).agent; } catch (error) { me = null; }
    tab.hidden = !me || !["supervisor", "editor"].includes(me.role);
    if (me && me.role === "editor" && $("insights-view").hidden) tab.click();  // their landing view
  }

  async function load() {
    const box = $("ins-figures");
    box.replaceChildren(el("p", { class: "muted", role: "status" }, t("ins.loading")));
    const parts = el("div");
    try {
      if (me && me.role === "supervisor") {
        const plan = await get("/api/v1/insights/forecast");
        await outcomes(parts); await funnel(parts); await demand(parts, plan); await staffing(parts, plan);
      }
      await guides(parts); await questions(parts);
      box.replaceChildren(parts);
    } catch (error) {
      box.replaceChildren(el("p", { class: "error", role: "alert" }, t("ins.failed", { error: Api.problem(error) })));
    }
  }

  // another language: the figures are drawn again (their words are made with the data)
  document.addEventListener("i18n:changed", () => { if ($("insights-view") && !$("insights-view").hidden) load(); });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build);
  else build();
})();
