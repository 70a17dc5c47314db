// Search page enhancements. The page works without this file: the form is a plain GET form.
(function () {
  "use strict";
  var form = document.querySelector("form.search-form");
  if (!form) return;
  // Filters and sort apply as soon as they change.
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name && target.name !== "q") {
      var page = form.querySelector("input[name=page]");
      if (page) page.remove();
      form.submit();
    }
  });
  var applyButton = form.querySelector(".apply-facets");
  if (applyButton) applyButton.hidden = true;
  // Suggestions while typing, from /api/v1/suggest.
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById("search-suggestions");
  var url = form.getAttribute("data-suggest-url");
  var timer = null;
  var lastAsked = "";
  if (!input || !list || !url || !window.fetch) return;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = input.value.trim();
      if (text.length < 2 || text === lastAsked) return;
      lastAsked = text;
      fetch(url + "&q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          list.textContent = "";
          data.suggestions.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.label;
            if (item.lang) option.lang = item.lang; // an untranslated record's title is in Vietnamese
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are optional */ });
    }, 200);
  });
})();
