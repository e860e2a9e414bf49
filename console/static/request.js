// The console's one request helper, shared by console.js, desk.js and insights.js (loaded after
// i18n.js, before them): JSON in and out, the session's CSRF token on every change, and what
// went wrong in the agent's language (the server's English messages are never shown).
"use strict";
const Api = (() => {
  let csrf = null;
  const lost = [];  // called when the session is gone (401)

  async function request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
    let response;
    try {
      response = await fetch(path, {
        method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      const error = new Error("network");
      error.status = 0;
      throw error;
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error((data.error && data.error.message) || response.statusText);
      error.status = response.status;
      if (response.status === 401) lost.forEach((f) => f(path));
      throw error;
    }
    return data;
  }

  const GENERIC = { 0: "error.network", 401: "error.session", 403: "error.forbidden", 404: "error.not_found",
    409: "error.conflict", 422: "error.invalid", 429: "error.too_many" };

  /** What went wrong, as a catalogue key: `keys` may name a message per HTTP status. */
  function problemKey(error, keys) {
    const status = error && error.status !== undefined ? error.status : 0;
    return (keys && keys[status]) || GENERIC[status] || "error.server";
  }
  /** What went wrong, in the agent's language (`{status}` is the HTTP status). */
  function problem(error, keys) {
    return I18N.t(problemKey(error, keys), { status: (error && error.status) || 0 });
  }

  return {
    request, problem, problemKey,
    get csrf() { return csrf; },
    set csrf(value) { csrf = value || null; },
    onSessionLost(callback) { lost.push(callback); },
  };
})();
