// Progress of a running import: asks /import/<id>/stand/ every second and moves the bar;
// when the import has finished, the page loads again and shows the report. Without this
// script the page says how far it was and offers a link to refresh.
(function () {
  "use strict";
  var section = document.querySelector(".import-progress[data-status-url]");
  if (!section) return;
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("import-bar");
  var label = document.querySelector("label[for=import-bar]");
  var text = document.getElementById("import-progress-text");
  var template = label.textContent;
  var lastPercent = -1;
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 3000); return; }
        if (data.state !== "wartet" && data.state !== "laeuft") { window.location.reload(); return; }
        bar.max = data.total || 1;
        bar.value = data.done;
        bar.textContent = data.percent + " %";
        label.textContent = template.replace(/\d+/, String(data.done)).replace(/\d+(?!.*\d)/, String(data.total));
        // Announced to screen readers in steps of ten, not every second.
        if (Math.floor(data.percent / 10) !== Math.floor(lastPercent / 10)) {
          text.textContent = text.textContent.replace(/^\d+/, String(data.percent));
        }
        lastPercent = data.percent;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
