// The profile 0 warning stands out only while profile 0 is chosen (it is always in the page).
(function () {
  "use strict";
  var warning = document.getElementById("profile-0-warning");
  if (!warning) { return; }
  function update() {
    var chosen = document.querySelector('input[name="security_profile"]:checked');
    warning.classList.toggle("active", !!chosen && chosen.value === "0");
  }
  document.querySelectorAll('input[name="security_profile"]').forEach(function (input) {
    input.addEventListener("change", update);
  });
  update();
})();
