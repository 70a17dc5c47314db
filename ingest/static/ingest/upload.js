// Progressive enhancement of the media upload form: drag and drop, one request per file with its own
// progress bar. Without JavaScript the form posts all files at once and the page lists the results.
(function () {
  "use strict";

  function init(form) {
    var input = form.querySelector("input[type=file]");
    var drop = form.querySelector("[data-ingest-drop]");
    var list = document.querySelector("[data-ingest-results]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var labels = {
      stored: form.dataset.labelStored || "stored",
      duplicate: form.dataset.labelDuplicate || "already in the archive",
      rejected: form.dataset.labelRejected || "refused",
      failed: form.dataset.labelFailed || "upload failed",
    };

    function row(file) {
      var item = document.createElement("li");
      var name = document.createElement("strong");
      var bar = document.createElement("progress");
      var text = document.createElement("span");
      name.textContent = file.name;
      bar.max = 100;
      bar.value = 0;
      item.className = "ingest-result";
      item.append(name, " ", bar, " ", text);
      list.append(item);
      return { item: item, bar: bar, text: text };
    }

    function send(file, view) {
      return new Promise(function (resolve) {
        var data = new FormData();
        data.append("csrfmiddlewaretoken", token);
        data.append("files", file);
        var request = new XMLHttpRequest();
        request.open("POST", form.action || window.location.href);
        request.setRequestHeader("Accept", "application/json");
        request.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) {
            view.bar.value = Math.round((100 * event.loaded) / event.total);
          }
        });
        request.addEventListener("loadend", function () {
          var answer = null;
          try {
            answer = JSON.parse(request.responseText);
          } catch (error) {
            answer = null;
          }
          var result = answer && answer.results ? answer.results[0] : null;
          view.bar.value = 100;
          if (request.status === 200 && result) {
            view.item.classList.add("ingest-result--" + result.outcome);
            view.text.textContent = labels[result.outcome] + " — " + result.message;
          } else if (answer && answer.error) {
            // The server says why (a full disk answers 507): its words, which tell what to do next.
            view.item.classList.add("ingest-result--rejected");
            view.text.textContent = labels.failed + " — " + answer.error;
          } else {
            view.item.classList.add("ingest-result--rejected");
            view.text.textContent = labels.failed + " (" + (request.status || "network") + ")";
          }
          resolve();
        });
        request.send(data);
      });
    }

    function uploadAll(files) {
      var queue = Array.prototype.slice.call(files);
      var views = queue.map(row);
      // One file at a time: on a weak connection parallel uploads only slow each other down.
      return queue.reduce(function (previous, file, index) {
        return previous.then(function () {
          return send(file, views[index]);
        });
      }, Promise.resolve());
    }

    form.addEventListener("submit", function (event) {
      if (!input.files.length) {
        return;
      }
      event.preventDefault();
      uploadAll(input.files).then(function () {
        input.value = "";
      });
    });

    ["dragenter", "dragover"].forEach(function (type) {
      drop.addEventListener(type, function (event) {
        event.preventDefault();
        drop.classList.add("ingest-drop--over");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      drop.addEventListener(type, function () {
        drop.classList.remove("ingest-drop--over");
      });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        uploadAll(event.dataTransfer.files);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-ingest-upload]");
    if (form && window.FormData && window.Promise) {
      init(form);
    }
  });
})();
