"use strict";
// Filters and expands the fixture cards. No network, no eval: the page's CSP allows only this script.
(function () {
  var cards = Array.prototype.slice.call(document.querySelectorAll("details.card"));
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var count = document.getElementById("filter-count");

  function wanted(card) {
    var choice = status.value;
    var query = text.value.trim().toLowerCase();
    if (query && card.getAttribute("data-search").indexOf(query) === -1) { return false; }
    if (choice === "all") { return true; }
    if (choice === "regressed") { return card.getAttribute("data-change") === "regressed"; }
    if (choice === "not-pass") { return card.getAttribute("data-status") !== "pass"; }
    return card.getAttribute("data-status") === choice;
  }

  function apply() {
    var shown = 0;
    cards.forEach(function (card) {
      var visible = wanted(card);
      card.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown + " of " + cards.length + " shown";
  }

  function setOpen(open) {
    cards.forEach(function (card) { if (!card.hidden) { card.open = open; } });
  }

  text.addEventListener("input", apply);
  status.addEventListener("change", apply);
  document.getElementById("expand-all").addEventListener("click", function () { setOpen(true); });
  document.getElementById("collapse-all").addEventListener("click", function () { setOpen(false); });
  apply();
})();
