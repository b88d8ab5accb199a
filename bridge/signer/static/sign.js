/* The signing step: ask for the SMS code, then post signature and code. */
(function () {
  "use strict";
  var pad = new window.SignaturePad(document.getElementById("pad"));
  var box = document.getElementById("confirm");
  var error = document.getElementById("error");
  var sendButton = document.getElementById("send-code");
  var submit = document.getElementById("submit");

  function post(url, body) {
    return window.postJSON(url, box.getAttribute("data-csrf"), body);
  }

  function show(problem) { error.textContent = (problem && problem.message) || "网络异常，请重试。"; }

  function countdown(seconds) {
    sendButton.disabled = true;
    var timer = setInterval(function () {
      seconds -= 1;
      sendButton.textContent = seconds + "秒后重发";
      if (seconds <= 0) {
        clearInterval(timer);
        sendButton.disabled = false;
        sendButton.textContent = "重新获取";
      }
    }, 1000);
  }

  document.getElementById("undo").addEventListener("click", function () { pad.undo(); });
  document.getElementById("clear").addEventListener("click", function () { pad.clear(); });

  sendButton.addEventListener("click", function () {
    error.textContent = "";
    post(box.getAttribute("data-code-url")).then(function (data) {
      error.textContent = "验证码已发送至 " + data.mobile;
      countdown(60);
    }, show);
  });

  submit.addEventListener("click", function () {
    var code = document.getElementById("code").value.trim();
    if (pad.isEmpty()) { error.textContent = "请先手写签名。"; return; }
    if (!/^[0-9]{6}$/.test(code)) { error.textContent = "请输入6位短信验证码。"; return; }
    submit.disabled = true;
    error.textContent = "正在签署……";
    post(box.getAttribute("data-sign-url"), { signature: pad.toTrimmedPNG(), code: code })
      .then(function (data) { window.location.assign(data.redirect); },
            function (problem) { submit.disabled = false; show(problem); });
  });
})();
