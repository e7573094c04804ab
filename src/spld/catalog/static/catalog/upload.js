// Progressive enhancement: show the upload progress of the resource form (works without JS too).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var bar = form.querySelector("progress");
  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files.length) { return; }
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    bar.hidden = false;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.status < 400) { window.location.href = xhr.responseURL; }
      else { document.open(); document.write(xhr.responseText); document.close(); }
    });
    xhr.send(new FormData(form));
  });
});
