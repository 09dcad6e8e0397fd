// openswf console: the only script. Pages work without it; it counts the
// open activities' time left down between reloads.
"use strict";
(function () {
  function fmt(ms) {
    var neg = ms < 0, s = Math.abs(ms) / 1000, out;
    if (s < 60) out = s.toFixed(1) + "s";
    else if (s < 3600) out = Math.floor(s / 60) + "m" + String(Math.floor(s % 60)).padStart(2, "0") + "s";
    else if (s < 172800) out = Math.floor(s / 3600) + "h" + String(Math.floor(s % 3600 / 60)).padStart(2, "0") + "m";
    else out = Math.floor(s / 86400) + "d" + String(Math.floor(s % 86400 / 3600)).padStart(2, "0") + "h";
    return neg ? "overdue by " + out : out;
  }
  var spans = document.querySelectorAll(".left[data-left-ms]");
  if (!spans.length) return;
  // Count from the server's time left rather than the browser's clock,
  // which may differ from the server's.
  var loaded = Date.now();
  function tick() {
    var gone = Date.now() - loaded;
    spans.forEach(function (el) {
      var left = Number(el.getAttribute("data-left-ms")) - gone;
      el.textContent = fmt(left);
      el.classList.toggle("overdue", left < 0);
    });
  }
  setInterval(tick, 1000);
})();
