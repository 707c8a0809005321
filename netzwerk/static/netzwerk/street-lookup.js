// Typeahead for the street field: fills the <datalist> with names from /strassen/?q=.
// Without this script the form still works: submitting it leads to the lookup page.
(function () {
  "use strict";
  document.querySelectorAll("form.street-lookup").forEach(function (form) {
    var input = form.querySelector("input[list]");
    var list = document.getElementById(input.getAttribute("list"));
    var url = form.getAttribute("data-suggestions");
    var timer = null;
    var latest = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < 2) {
        list.replaceChildren();
        return;
      }
      timer = window.setTimeout(function () {
        latest = text;
        fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            if (text !== latest) return;
            list.replaceChildren.apply(list, data.results.map(function (street) {
              var option = document.createElement("option");
              option.value = street.name;
              option.label = street.areas.join(", ");
              return option;
            }));
          })
          .catch(function () { list.replaceChildren(); });
      }, 150);
    });
  });
})();
