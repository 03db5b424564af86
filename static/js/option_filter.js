// A search box above each <select multiple data-option-filter>: typing hides the options
// that do not contain the text (chosen ones stay visible, so nothing is unchosen unseen).
(function () {
  "use strict";

  function attach(select) {
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = select.getAttribute("data-option-filter") || "Search…";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("aria-controls", select.id);
    input.className = "option-filter";
    input.addEventListener("input", function () {
      var text = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !text || option.text.toLowerCase().indexOf(text) !== -1;
        option.hidden = !(match || option.selected);
      });
    });
    // Enter in the box must not submit the form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    select.parentNode.insertBefore(input, select);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-option-filter]").forEach(attach);
  });
})();
