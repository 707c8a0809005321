// Progressive enhancement of the rule builder: the form works without this script (the
// "Vorschau" button posts and the server answers with the preview). With it, only the
// fields the chosen rhythm needs are shown, and the preview follows every change.
(function () {
  "use strict";
  var form = document.getElementById("regel-form");
  if (!form || !window.fetch || !window.DOMParser) {
    return;
  }
  var needs = {
    woechentlich: ["id_weekday"],
    alle_n_wochen: ["id_weekday", "id_interval"],
    monatlich: ["id_weekday", "id_ordinal"],
    vierteljaehrlich: ["id_weekday", "id_ordinal"],
    eigene_regel: ["id_rule"]
  };
  var optional = ["id_weekday", "id_ordinal", "id_interval", "id_rule"];
  var frequency = document.getElementById("id_frequency");
  var target = document.getElementById("vorschau-ort");

  function showFields() {
    var wanted = needs[frequency.value] || optional;
    optional.forEach(function (id) {
      var field = document.getElementById(id);
      if (field && field.closest("p")) {
        field.closest("p").hidden = wanted.indexOf(id) === -1;
      }
    });
  }

  var timer = null;
  var latest = 0;
  function preview() {
    var body = new FormData(form);
    body.set("aktion", "vorschau");
    var request = ++latest;
    fetch(form.dataset.vorschau, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (request !== latest) {
          return;
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("vorschau-ort");
        target.innerHTML = fresh ? fresh.innerHTML : "";
      })
      .catch(function () { /* the button still works */ });
  }

  frequency.addEventListener("change", showFields);
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(preview, 400);
  });
  showFields();
})();
