// Progressive enhancement of the ranking fieldset: drag the options into order and the rank
// numbers follow. Without JavaScript (or with a keyboard) the number inputs are the form.
(function () {
  "use strict";
  function renumber(list) {
    list.querySelectorAll("[data-option]").forEach(function (item, i) {
      item.querySelector("input").value = String(i + 1);
    });
  }
  function enhance(fieldset) {
    var list = fieldset.querySelector(".ranking");
    if (!list || list.classList.contains("ranking--enhanced")) return;
    list.classList.add("ranking--enhanced");
    var dragged = null;
    list.querySelectorAll("[data-option]").forEach(function (item) {
      item.draggable = true;
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        item.classList.add("is-dragging");
        event.dataTransfer.effectAllowed = "move";
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("is-dragging");
        dragged = null;
        renumber(list);
      });
      item.addEventListener("dragover", function (event) {
        if (!dragged || dragged === item) return;
        event.preventDefault();
        var box = item.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? item.nextSibling : item);
      });
    });
  }
  function init(root) {
    (root || document).querySelectorAll("[data-ranking]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
