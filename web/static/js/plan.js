/* The plan page's print button (print CSS hides the page's navigation and buttons). */
(function () {
  "use strict";
  var button = document.getElementById("print-plan");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
