// Skip logic on the answering page, as the resident types (progressive enhancement).
// Each conditional section or question carries its `relevant` expression as a JSON tree
// (gongzhi/surveys/forms.py, _expr_json); this evaluates it as gongzhi/surveys/logic.py does.
// The server stays the judge: without this script the page posts, and comes back showing the
// questions the answers bring in; with it, the same questions appear at once.
(function () {
  "use strict";

  function text(value) {
    if (value === null || value === undefined) return "";
    if (Array.isArray(value)) return value.join(" ");
    return String(value);
  }

  function number(value) {
    var t = text(value).trim();
    if (t === "") return NaN;
    var n = Number(t);
    return isFinite(n) ? n : NaN;
  }

  function compare(left, op, right) {
    switch (op) {
      case "=": return left === right;
      case "!=": return left !== right;
      case ">": return left > right;
      case ">=": return left >= right;
      case "<": return left < right;
      default: return left <= right;
    }
  }

  var DATE = /^\d{4}-\d{2}-\d{2}$/;

  function evaluate(expr, answers) {
    if (expr.and) return expr.and.every(function (e) { return evaluate(e, answers); });
    if (expr.or) return expr.or.some(function (e) { return evaluate(e, answers); });
    if (expr.not) return !evaluate(expr.not, answers);
    var answer = answers[expr.selected !== undefined ? expr.selected : expr.compare];
    if (expr.selected !== undefined) {
      var chosen = Array.isArray(answer) ? answer : text(answer).split(/\s+/);
      return chosen.indexOf(expr.value) !== -1;
    }
    if (expr.count) {
      var count = Array.isArray(answer) ? answer.length : text(answer).split(/\s+/).filter(Boolean).length;
      return compare(count, expr.op, expr.value);
    }
    if (typeof expr.value === "number") {
      var n = number(answer);
      if (isNaN(n)) return expr.op === "!=";
      return compare(n, expr.op, expr.value);
    }
    var t = text(answer);
    if (expr.op === "=" || expr.op === "!=") return compare(t, expr.op, expr.value);
    if (DATE.test(t) && DATE.test(expr.value)) return compare(t, expr.op, expr.value);
    var a = number(t), b = number(expr.value);
    if (isNaN(a) || isNaN(b)) return false;
    return compare(a, expr.op, b);
  }

  function answerOf(box) {
    var kind = box.getAttribute("data-kind");
    var name = box.getAttribute("data-question");
    if (kind === "select_multiple") {
      return Array.prototype.map.call(
        box.querySelectorAll('input[name="' + name + '"]:checked'),
        function (input) { return input.value; });
    }
    if (kind === "select_one" || kind === "likert") {
      var picked = box.querySelector('input[name="' + name + '"]:checked');
      return picked ? picked.value : "";
    }
    if (kind === "rank") {
      return Array.prototype.map.call(box.querySelectorAll("select"), function (s) {
        return s.value;
      }).filter(Boolean);
    }
    if (kind === "matrix") return "";
    var field = box.querySelector('[name="' + name + '"]');
    if (!field) return "";
    var value = field.value.trim();
    if (kind === "integer" || kind === "decimal") return value === "" ? "" : value;
    return value;
  }

  function update(form) {
    // In the definition's order, as the server does: a hidden question counts as unanswered.
    var answers = {};
    form.querySelectorAll("fieldset.survey-section").forEach(function (section) {
      var sectionShown = true;
      var rule = section.getAttribute("data-relevant");
      if (rule) sectionShown = evaluate(JSON.parse(rule), answers);
      section.hidden = !sectionShown;
      section.querySelectorAll(".survey-question").forEach(function (box) {
        var shown = sectionShown;
        var own = box.getAttribute("data-relevant");
        if (shown && own) shown = evaluate(JSON.parse(own), answers);
        box.hidden = !shown;
        var marker = box.querySelector('input[name="shown"]');
        if (marker) marker.disabled = !shown;
        if (shown) answers[box.getAttribute("data-question")] = answerOf(box);
      });
    });
  }

  function start() {
    document.querySelectorAll("form[data-survey-form]").forEach(function (form) {
      update(form);
      form.addEventListener("input", function () { update(form); });
      form.addEventListener("change", function () { update(form); });
    });
    var errors = document.getElementById("answer-errors");
    if (errors) errors.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
