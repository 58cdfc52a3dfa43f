// Progressive enhancement only: every page works without this file.
// When a form comes back with errors, move focus to the error summary (as GOV.UK does),
// so screen-reader and keyboard users hear what went wrong first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".ju-error-summary");
  if (summary) {
    summary.focus();
  }
});

// Wide tables scroll sideways inside .ju-table-wrap; its cue says so. Hide the cue where the
// table fits (checked again when the window changes size, e.g. on zoom).
(function () {
  function markTables() {
    document.querySelectorAll(".ju-table-wrap").forEach(function (wrap) {
      wrap.classList.toggle("ju-table-wrap--fits", wrap.scrollWidth <= wrap.clientWidth + 1);
    });
  }
  document.addEventListener("DOMContentLoaded", markTables);
  window.addEventListener("resize", markTables);
  document.addEventListener("htmx:afterSettle", markTables);
})();
