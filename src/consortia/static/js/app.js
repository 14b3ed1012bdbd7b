// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  function flash(text, level) {
    var region = document.getElementById("flash");
    if (!region || !text) return;
    var item = document.createElement("div");
    item.className = "flash__item flash__item--" + (level || "error");
    var icon = document.createElement("span");
    icon.className = "flash__icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "!";
    var p = document.createElement("p");
    p.textContent = text;
    item.appendChild(icon);
    item.appendChild(p);
    region.replaceChildren(item);
  }

  // htmx does not swap error responses: show their one-line explanation (403, 404, 500 pages
  // mark it with data-error-message) in the live region instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = "Something went wrong (" + xhr.status + "). Reload the page and try again.";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var node = doc.querySelector("[data-error-message]");
      if (node && node.textContent.trim()) text = node.textContent.trim();
    } catch (e) { /* keep the generic text */ }
    flash(text, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("The server could not be reached. Check your connection and try again.", "error");
  });

  // After a fragment replaces a card, keep keyboard focus in a sensible place.
  document.addEventListener("htmx:afterSwap", function (event) {
    // With outerHTML swaps the old target is gone; the new fragment carries the same id.
    var target = event.detail.target;
    if (target && !document.body.contains(target) && target.id) {
      target = document.getElementById(target.id);
    }
    if (!target) return;
    var invalid = target.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); return; }
    var alert = target.querySelector("[role='alert']");
    if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
  });

  // Close the account menu on Escape or a click elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
})();
