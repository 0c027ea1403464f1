/* gongzhi's few enhancements, loaded on every page (deferred, so the page is parsed).
 *
 * The Content-Security-Policy allows no inline script and no inline event handlers, so every
 * behaviour lives here and finds its elements by data attributes; messages come from the page,
 * already translated. Every page works without this file: these only add convenience.
 */
(function () {
  "use strict";

  // <button type="button" data-print>: print the page (notice boards, household letters).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // <form data-running-total data-budget="…">: while a resident ticks projects
  // (<input name="project" data-cost="…">), the total and what is left of the budget update in
  // #total and #left. Without script the "Update the total" button asks the server.
  document.querySelectorAll("form[data-running-total]").forEach(function (form) {
    var budget = Number(form.dataset.budget);
    var total = document.getElementById("total");
    var left = document.getElementById("left");
    if (!total || !left) return;
    form.addEventListener("change", function () {
      var sum = 0;
      form.querySelectorAll("input[name=project]:checked").forEach(function (box) {
        sum += Number(box.dataset.cost);
      });
      total.textContent = sum;
      left.textContent = budget - sum;
    });
  });

  // <p data-locate hidden data-finding="…" data-found="…" data-failed="…"> with a button and a
  // [role=status] inside: shown only where the browser can locate; fills #id_latitude and
  // #id_longitude with where the phone is.
  document.querySelectorAll("[data-locate]").forEach(function (row) {
    if (!navigator.geolocation) return;
    var button = row.querySelector("button");
    var status = row.querySelector("[role=status]");
    if (!button || !status) return;
    row.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = row.dataset.finding;
      navigator.geolocation.getCurrentPosition(function (where) {
        ["latitude", "longitude"].forEach(function (name) {
          var field = document.getElementById("id_" + name);
          field.value = where.coords[name].toFixed(6);
          // A located point is WGS-84: the map picker (map-picker.js) hears it and says so.
          field.dispatchEvent(new Event("change", {bubbles: true}));
        });
        status.textContent = row.dataset.found;
      }, function () {
        status.textContent = row.dataset.failed;
      }, {enableHighAccuracy: true, timeout: 10000});
    });
  });
})();
