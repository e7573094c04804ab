// Progressive enhancement: a "copy" button next to each fingerprint (shown whole without JS).
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.nextElementSibling;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        status.textContent = button.dataset.copied;
      });
    });
  });
});
