// The back office's list for supervisors (the Cases tab): hand-overs to department systems that
// failed for good (send again) and the low ratings to review (done). Words from the catalogues.
"use strict";
const CasesOversight = (() => {
  const $ = (id) => document.getElementById(id);
  const t = (key, values) => I18N.t(key, values);
  const { formTitle, ratingName, personName } = CasesWords;
  const el = (tag, text, cls) => CasesOffice.el(tag, text, cls);
  const api = (method, path, body) => CasesOffice.api(method, path, body);
  const problem = (error) => CasesOffice.problem(error);
  async function loadOversight() {
    const box = $("cases-oversight");
    box.hidden = CasesOffice.role !== "supervisor";
    if (box.hidden) return;
    try {
      const [letters, reviews] = await Promise.all([api("GET", "/api/v1/backoffice/dead-letters"), api("GET", "/api/v1/backoffice/reviews")]);
      const hook = (type) => ({ created: t("cases.hook.created"), citizen_info: t("cases.hook.citizen_info") }[String(type).replace(/^case\./, "")] || type);  // event types case.created, case.citizen_info
      $("cases-dead-letters").replaceChildren(...letters.map((letter) => {
        const li = el("li", [letter.reference, hook(letter.event_type), t("cases.attempts", { n: letter.attempts }), letter.last_error || ""].filter(Boolean).join(" · "));
        const button = el("button", t("cases.send_again"), "secondary");
        button.type = "button";
        button.setAttribute("aria-label", t("cases.send_again_label", { reference: letter.reference }));
        button.addEventListener("click", () => api("POST", `/api/v1/backoffice/dead-letters/${letter.id}/replay`).then(loadOversight, (e) => { $("cases-error").textContent = problem(e); }));
        li.append(" ", button);
        return li;
      }));
      $("cases-reviews").replaceChildren(...reviews.map((review) => {
        const li = el("li", [review.reference, formTitle(review.form), ratingName(review.rating), review.assignee ? personName(review.assignee) : t("cases.unassigned")].join(" · "));
        const button = el("button", t("cases.review_done"), "secondary");
        button.type = "button";
        button.setAttribute("aria-label", t("cases.review_done_label", { reference: review.reference }));
        button.addEventListener("click", () => api("POST", `/api/v1/backoffice/reviews/${review.id}/resolve`, {}).then(loadOversight, (e) => { $("cases-error").textContent = problem(e); }));
        li.append(" ", button);
        return li;
      }));
    } catch (error) {
      $("cases-error").textContent = problem(error);
      return;
    }
    if (!$("cases-dead-letters").children.length) $("cases-dead-letters").append(el("li", t("cases.none"), "muted"));
    if (!$("cases-reviews").children.length) $("cases-reviews").append(el("li", t("cases.none"), "muted"));
  }

  return { load: loadOversight };
})();
