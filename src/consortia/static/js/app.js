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
    // Refused because the thing went away or out of reach meanwhile (404, 403, 409, 410):
    // what the page shows is stale, so its live parts are read again (live.js) and the item
    // acted on disappears — on the dashboard, from "Waiting for you". A live part may say
    // there what a 404 means, more plainly than the error page's sentence (data-gone-message).
    if ([403, 404, 409, 410].indexOf(xhr.status) >= 0) {
      var source = event.detail.elt;
      var part = source && source.closest ? source.closest("[data-live][id]") : null;
      if (part && xhr.status !== 403 && part.getAttribute("data-gone-message")) {
        text = part.getAttribute("data-gone-message");
      }
      document.body.dispatchEvent(new CustomEvent("consortia:changed", { bubbles: true }));
    }
    flash(text, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("The server could not be reached. Check your connection and try again.", "error");
  });

  // One submit per form at a time: a double click (or a second Enter) on "Create" must not
  // create two. A POST form that is sending is marked aria-busy and its submit buttons are
  // disabled until the answer arrives; a second submit meanwhile is dropped before htmx or
  // the browser sees it. Plain forms: the answer is a new page (a form sent back with its
  // errors is a fresh form, ready to be sent again); if none comes (a download, a stopped
  // load), the form is released after a while, and when the page comes back from the
  // back-forward cache. htmx forms (boosted ones too) are released when their request ends,
  // unless the answer navigates away (HX-Redirect). htmx's own hx-disabled-elt cannot say
  // "this form's submit buttons" once for every form from <body> ("find" picks one element,
  // a bare selector every match on the page), so the same thing is done here from its events.
  var SUBMITS_AGAIN_AFTER_MS = 10000;

  function submitButtons(form) {
    // form.elements includes the buttons outside the form that name it (form="id").
    return Array.prototype.filter.call(form.elements, function (element) {
      return (element.type === "submit" || element.type === "image") && !element.disabled;
    });
  }

  function hold(form, buttons) {
    if (form) form.setAttribute("aria-busy", "true");
    buttons.forEach(function (button) {
      button.disabled = true;
      button.setAttribute("data-disabled-while-sending", "");
    });
  }

  function release(form, buttons) {
    if (form) form.removeAttribute("aria-busy");
    buttons.forEach(function (button) {
      if (!button.hasAttribute("data-disabled-while-sending")) return;
      button.disabled = false;
      button.removeAttribute("data-disabled-while-sending");
    });
  }

  function sending(form) {
    return form.getAttribute("aria-busy") === "true";
  }

  // Capture: before htmx's own listener on the form queues a second request.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && sending(form)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Bubble: a plain POST form that nobody else took over (htmx prevents the default).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    var submitter = event.submitter;
    var method = (submitter && submitter.getAttribute("formmethod")) || form.method;
    var target = (submitter && submitter.getAttribute("formtarget")) || form.target;
    if (String(method).toLowerCase() !== "post" || (target && target !== "_self")) return;
    form.setAttribute("aria-busy", "true");  // a second submit is dropped from now on
    var buttons = submitButtons(form);
    // Disabled only once the browser has read the form: a disabled submitter would not send
    // its own name and value (e.g. decision=approve).
    window.setTimeout(function () { hold(null, buttons); }, 0);
    window.setTimeout(function () { release(form, buttons); }, SUBMITS_AGAIN_AFTER_MS);
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    var buttons = document.querySelectorAll("[data-disabled-while-sending]");
    document.querySelectorAll("form[aria-busy='true']").forEach(function (form) {
      release(form, []);
    });
    release(null, Array.prototype.slice.call(buttons));
  });

  // htmx has read the form's values by now (beforeSend), so disabling loses nothing. Only a
  // submit (or a click on an hx-post button) is held: a form that previews on "change" must
  // not disable its own button under the click that caused the change.
  var held = typeof WeakMap === "function" ? new WeakMap() : null;
  document.addEventListener("htmx:beforeSend", function (event) {
    var detail = event.detail, elt = detail.elt, config = detail.requestConfig;
    if (!held || !elt || config.verb === "get") return;
    var trigger = config.triggeringEvent ? config.triggeringEvent.type : "";
    var form = elt instanceof HTMLFormElement && trigger === "submit" ? elt : null;
    var button = elt instanceof HTMLButtonElement && trigger === "click" && !elt.disabled;
    var buttons = form ? submitButtons(form) : button ? [elt] : [];
    if (!form && !buttons.length) return;
    hold(form, buttons);
    held.set(detail.xhr, { form: form, buttons: buttons });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var entry = held && event.detail.xhr ? held.get(event.detail.xhr) : null;
    if (!entry || event.detail.keepIndicators) return;  // HX-Redirect: the page is leaving
    held.delete(event.detail.xhr);
    release(entry.form, entry.buttons);
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
