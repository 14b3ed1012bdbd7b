// Times are shown and entered in the person's time zone. Until a person has chosen one (their
// settings; sign-up fills it from the browser), the server uses the browser's zone, which this
// file tells it in a cookie; it also fills any empty field marked data-browser-time-zone.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) { return; }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
  // Zone names are cookie-safe as they are (checked above): no encoding, the server reads them.
  if (document.cookie.split("; ").indexOf("tz=" + zone) === -1) {
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax" +
      (window.location.protocol === "https:" ? "; Secure" : "");
  }
  document.querySelectorAll("[data-browser-time-zone]").forEach(function (field) {
    if (field.value) return;
    if (field.tagName === "SELECT" && !field.querySelector("option[value='" + zone + "']")) return;
    field.value = zone;
  });
})();
