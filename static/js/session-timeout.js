// The idle time-out warning (workspace.middleware.SessionLimitsMiddleware ends a session after
// SESSION_IDLE_MINUTES without a request). A static file: no inline script, so a strict CSP holds.
// The server says how many seconds are left when the page is drawn; shortly before they run out
// this shows the warning with a countdown, and "Stay signed in" asks the server to extend it.
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
  var timer = null;

  function words(seconds) {
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (left <= 0) {
      var next = window.location.pathname + window.location.search;
      window.location.assign(box.getAttribute("data-login-url") + "?next=" + encodeURIComponent(next));
      return;
    }
    if (left <= warnSeconds) {
      if (box.hidden) {
        box.hidden = false;
        button.focus();
      }
      countdown.textContent = words(left);
    }
    timer = window.setTimeout(tick, 1000);
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
      .catch(function () {
        deadline = Date.now();  // the session has already ended: go to sign-in
      });
  });

  tick();
})();
