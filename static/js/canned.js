/* The canned explanations (话术库): "Insert" puts the chosen text at the cursor of its field.
   Without the script the page lists the same texts to copy from. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-canned-insert]");
    if (!button) {
      return;
    }
    var picker = button.closest("[data-canned-for]");
    var field = document.getElementById(picker.dataset.cannedFor);
    var text = picker.querySelector("select").value;
    field.setRangeText(text, field.selectionStart, field.selectionEnd, "end");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });
})();
