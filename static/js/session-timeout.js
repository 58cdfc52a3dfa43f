// The idle time-out warning (workspace.middleware.SessionLimitsMiddleware ends a session after
// SESSION_IDLE_MINUTES without a request). A static file: no inline script, so a strict CSP holds.
// The server says how many seconds are left when the page is drawn; shortly before they run out
// this shows the warning with a countdown, and "Stay signed in" asks the server to extend it.
// When the countdown ends it asks the server whether the session really ended.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box || !window.fetch) {
    return;
  }
  var warnSeconds = parseInt(box.getAttribute("data-warn-seconds"), 10) || 120;
  var deadline = Date.now() + (parseInt(box.getAttribute("data-seconds-left"), 10) || 0) * 1000;
  var countdown = box.querySelector("[data-session-countdown]");
  var button = box.querySelector("[data-session-extend]");

  // In the page's language (a portal page may be Welsh, Polish, Arabic or Urdu): the browser's own
  // unit words know each language's plurals; British English where it cannot.
  var lang = document.documentElement.lang || "en-GB";
  function words(seconds) {
    var unit = seconds >= 60 ? "minute" : "second";
    var n = seconds >= 60 ? Math.ceil(seconds / 60) : seconds;
    try {
      return new Intl.NumberFormat(lang, { style: "unit", unit: unit, unitDisplay: "long" }).format(n);
    } catch (e) {
      return n + " " + unit + (n === 1 ? "" : "s");
    }
  }

  function signIn() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(box.getAttribute("data-login-url") + "?next=" + encodeURIComponent(next));
  }

  // The countdown ran out: ask the server (asking is not activity). Another tab may have kept the
  // session going, so only an ended session goes to the sign-in page.
  function check() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      })
      .then(function (body) {
        if (body.seconds_left > 0) {
          deadline = Date.now() + body.seconds_left * 1000;
          if (body.seconds_left > warnSeconds) {
            box.hidden = true;
          }
          window.setTimeout(tick, 1000);
        } else {
          signIn();
        }
      })
      .catch(signIn);
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (left <= 0) {
      check();
      return;
    }
    if (left <= warnSeconds) {
      if (box.hidden) {
        box.hidden = false;
        button.focus();
      }
      countdown.textContent = words(left);
    } else {
      box.hidden = true;
    }
    window.setTimeout(tick, 1000);
  }

  // The CSRF token htmx already sends with every request (the body's hx-headers).
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  button.addEventListener("click", function () {
    fetch(box.getAttribute("data-extend-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      })
      .then(function (body) {
        deadline = Date.now() + body.seconds_left * 1000;
        box.hidden = true;
      })
      .catch(signIn); // the session has already ended
  });

  tick();
})();
