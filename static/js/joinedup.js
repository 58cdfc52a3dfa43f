// Progressive enhancement only: every page works without this file.
// When a form comes back with errors, move focus to the error summary (as GOV.UK does),
// so screen-reader and keyboard users hear what went wrong first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".ju-error-summary");
  if (summary) {
    summary.focus();
  }
});
