/* The gate page: keep the cursor in the scan input so a scanner (which types the code and
   Enter) can scan pass after pass; send the token trimmed, and clear the input after each
   answer. The page works without this script. */
(function () {
  "use strict";
  var input = document.getElementById("token");
  var form = document.getElementById("scan-form");
  if (!input || !form) { return; }
  function focus() { if (document.activeElement !== input) { input.focus(); } }
  form.addEventListener("submit", function (event) {
    input.value = input.value.replace(/\s+/g, "");
    if (!input.value) { event.preventDefault(); focus(); }
  });
  input.value = "";
  focus();
  document.addEventListener("click", function (event) {
    if (event.target.tagName !== "A" && event.target.tagName !== "BUTTON") { focus(); }
  });
  window.addEventListener("focus", focus);
  if (navigator.vibrate && document.querySelector(".verdict.stop")) { navigator.vibrate([200, 100, 200]); }
})();
