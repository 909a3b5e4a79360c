// Fill the SPARQL box with a named query when one is picked from the examples.
// The page works without this: the form submits as a plain GET.
(function () {
  "use strict";
  var select = document.getElementById("examples");
  var box = document.getElementById("query");
  var data = document.getElementById("example-texts");
  if (!select || !box || !data) { return; }
  var texts = JSON.parse(data.textContent);
  select.addEventListener("change", function () {
    var i = parseInt(select.value, 10);
    if (!isNaN(i) && texts[i] !== undefined) { box.value = texts[i]; box.focus(); }
  });
})();
