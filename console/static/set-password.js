// The set-password page: the token is in the link's fragment (#token=...), so it never
// reaches the server's logs or a Referer header; it is posted once to /api/v1/agent/set-password.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  let errorKey = "";
  const showError = (key) => { errorKey = key; $("setpw-error").textContent = key ? I18N.t(key) : ""; };
  document.addEventListener("i18n:changed", () => showError(errorKey));
  $("lang-switch").addEventListener("click", () => I18N.load(I18N.other()));
  I18N.ready.then(() => { if (!token) showError("setpw.no_token"); });
  $("setpw-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = $("new-password").value;
    if (!token) return showError("setpw.no_token");
    if (password.length < 10) return showError("setpw.short");
    if (password !== $("new-password-again").value) return showError("setpw.differ");
    showError("");
    $("setpw-button").disabled = true;
    const response = await fetch("/api/v1/agent/set-password", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
      body: JSON.stringify({ token, password }),
    }).catch(() => null);
    $("setpw-button").disabled = false;
    if (response && response.status === 204) {
      history.replaceState(null, "", location.pathname);  // the used token leaves the address bar
      $("setpw-done").textContent = I18N.t("setpw.done");
      $("setpw-done").dataset.i18n = "setpw.done";
      $("setpw-login").hidden = false;
      $("setpw-button").disabled = true;
    } else {
      showError(response && response.status === 422 ? "setpw.bad_link" : "setpw.failed");
    }
  });
})();
