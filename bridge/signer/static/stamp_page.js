// The OA stamp page (framed by the OA form): preview, seal, tell the parent.
// Loaded from the bridge so the page's CSP needs no 'unsafe-inline' script.
(function () {
  var form = document.getElementById("stamp-form");
  var result = document.getElementById("result");
  if (!form) { return; }
  var ticket = form.getAttribute("data-ticket");
  var origins = JSON.parse(form.getAttribute("data-origins"));
  var preview = document.getElementById("preview");
  function chosenSeal() {
    return form.querySelector("input[name=seal]:checked").value;
  }
  function showPreview() {
    preview.src = form.getAttribute("data-preview") + "?ticket=" +
      encodeURIComponent(ticket) + "&seal=" + encodeURIComponent(chosenSeal());
  }
  form.addEventListener("change", showPreview);
  showPreview();
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var seal = chosenSeal();
    document.getElementById("confirm").disabled = true;
    result.textContent = "正在盖章…";
    fetch(form.getAttribute("data-stamp"), {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({ticket: ticket, seal: seal})
    }).then(function (response) {
      return response.json().then(function (body) { return [response.ok, body]; });
    }).then(function (outcome) {
      if (!outcome[0]) {
        result.textContent = "盖章失败：" + outcome[1].message;
        result.setAttribute("data-code", outcome[1].code);
        document.getElementById("confirm").disabled = false;
        return;
      }
      result.textContent = "已盖章：" + outcome[1].seal;
      result.setAttribute("data-state", outcome[1].state);
      origins.forEach(function (origin) {
        window.parent.postMessage({type: "sealbridge:stamped", task: outcome[1].taskId}, origin);
      });
    });
  });
})();
