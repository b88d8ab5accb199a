/* Live progress: contract events over server-sent events, newest on top;
   the status counts are fetched again after each event and a contract
   that left SIGNING leaves the waiting list. The stream ends
   every minute or so and EventSource reconnects where it stopped. */
(function () {
  "use strict";
  var list = document.getElementById("live");
  var state = document.getElementById("live-state");
  var counts = document.getElementById("counts");
  if (!list || !window.EventSource) { return; }

  function refreshCounts() {
    fetch(counts.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (data) {
        Object.keys(data).forEach(function (status) {
          var cell = counts.querySelector('[data-status="' + status + '"]');
          if (cell) { cell.textContent = String(data[status]); }
        });
      }, function () {});
  }

  function show(event) {
    var item = document.createElement("li");
    var time = new Date(event.at);
    item.className = "fresh";
    item.setAttribute("data-contract", event.contractId);
    item.setAttribute("data-type", event.type);
    item.textContent = time.toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }) + " " +
      event.subject + "：" + event.label + "（" + event.statusLabel + "）";
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 50) { list.removeChild(list.lastChild); }
    if (event.status !== "SIGNING") {  /* no longer waiting on anyone */
      var row = document.querySelector('#stuck tr[data-contract="' + event.contractId + '"]');
      if (row) { row.parentNode.removeChild(row); }
    }
  }

  var source = new EventSource(list.getAttribute("data-url"));
  source.addEventListener("open", function () { state.textContent = "已连接，等待新动态…"; });
  source.addEventListener("error", function () { state.textContent = "连接中断，正在重连…"; });
  source.addEventListener("contract", function (message) {
    show(JSON.parse(message.data));
    refreshCounts();
  });
})();
