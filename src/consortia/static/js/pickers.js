// Pickers (issue 11): a person list filtered by the organization chosen next to it, and
// searchable multi-selects (the vendored tom-select). Every form works without this file.
(function () {
  "use strict";

  function dependent(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    var control = select.form && select.form.elements[select.dataset.dependsOn];
    if (!control) return;
    function apply() {
      var chosen = control.value;
      Array.prototype.forEach.call(select.options, function (option) {
        var group = option.getAttribute("data-depends-value");
        if (group === null) return; // the empty choice ("its team leaders") always stays
        var show = !chosen || group === chosen;
        option.hidden = !show;
        option.disabled = !show;
      });
      var current = select.options[select.selectedIndex];
      if (current && current.disabled) select.value = "";
    }
    control.addEventListener("change", apply);
    apply();
  }

  function multi(select) {
    if (select.dataset.pickerReady || typeof window.TomSelect !== "function") return;
    select.dataset.pickerReady = "1";
    // tom-select moves the label to its own input; the original list keeps its name too.
    var label = select.id && document.querySelector("label[for='" + select.id + "']");
    if (label) {
      if (!label.id) label.id = select.id + "-label";
      select.setAttribute("aria-labelledby", label.id);
    }
    var picker = new window.TomSelect(select, {
      plugins: ["remove_button"],
      placeholder: select.dataset.placeholder || "Type to search",
      hidePlaceholder: false, // the search box stays: the list keeps its height on leaving it
      closeAfterSelect: false,
      maxOptions: null,
      render: {
        no_results: function () {
          return '<div class="no-results">Nobody matches.</div>';
        },
      },
    });
    // The search box is not a field of the form: its own "change" (on leaving it) must not
    // reach the form (htmx would send a preview just as the form is submitted); the list's
    // change, which tom-select fires on the original select, still does.
    picker.control_input.addEventListener("change", function (event) {
      event.stopPropagation();
    });
  }

  function start(root) {
    (root || document).querySelectorAll("select[data-depends-on]").forEach(dependent);
    (root || document).querySelectorAll("select[data-picker='multi']").forEach(multi);
  }

  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:load", function (event) { start(event.target); });
})();
