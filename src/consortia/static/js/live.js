// Pages stay true after every action (see consortia/core/htmx.py). An HTMX action that may
// have changed what the page shows sends the event "consortia:changed"; the page is then read
// once more and every part marked data-live (with an id) is replaced by its new version, so
// counters, lists and the actions a change enabled are never stale. Without JavaScript every
// action ends with a redirect to a fresh page.
(function () {
  "use strict";
  var pending = null;

  function refresh() {
    if (!document.querySelector("[data-live][id]")) return;
    if (pending) pending.abort();
    var controller = new AbortController();
    pending = controller;
    fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-Consortia-Live": "1" },
      signal: controller.signal,
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (pending === controller) pending = null;
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live][id]").forEach(function (element) {
          var fresh = doc.getElementById(element.id);
          if (!fresh) return;
          var node = document.importNode(fresh, true);
          element.replaceWith(node);
          if (window.htmx) window.htmx.process(node);
        });
        document.body.setAttribute("data-live-refreshed", String(Date.now()));
        document.body.dispatchEvent(new CustomEvent("consortia:refreshed", { bubbles: true }));
      })
      .catch(function () { /* a newer refresh replaced this one, or the network failed */ });
  }

  document.body.addEventListener("consortia:changed", refresh);
})();
