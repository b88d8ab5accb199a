/* Operator login: ask for a code by SMS, then log in with mobile + code. */
(function () {
  "use strict";
  var box = document.getElementById("login");
  var error = document.getElementById("error");

  function post(url, body) {
    return window.postJSON(url, box.getAttribute("data-csrf"), body);
  }

  function mobile() { return document.getElementById("mobile").value.trim(); }
  function show(problem) { error.textContent = (problem && problem.message) || "网络异常，请重试。"; }

  document.getElementById("send-code").addEventListener("click", function () {
    post(box.getAttribute("data-code-url"), { mobile: mobile() }).then(function (data) {
      error.textContent = "如该手机号已登记，验证码已发送至 " + data.mobile;
    }, show);
  });
  document.getElementById("submit").addEventListener("click", function () {
    post(box.getAttribute("data-login-url"), {
      mobile: mobile(), code: document.getElementById("code").value.trim()
    }).then(function (data) { window.location.assign(data.redirect); }, show);
  });
})();
