/* The sign button unlocks once the last page has been on screen. */
(function () {
  "use strict";
  var button = document.getElementById("to-sign");
  var last = document.querySelector("img[data-last='true']");
  if (!button || !last) { return; }
  var unlocked = false;

  function unlock() {
    if (unlocked) { return; }
    unlocked = true;
    button.classList.remove("disabled");
    button.removeAttribute("aria-disabled");
    button.setAttribute("href", button.getAttribute("data-href"));
    button.textContent = "已阅读，去签名";
  }

  function lastPageSeen() {
    var box = last.getBoundingClientRect();
    var height = window.innerHeight || document.documentElement.clientHeight;
    return last.complete && box.height > 0 && box.top < height && box.bottom - height < box.height / 2;
  }

  function check() { if (lastPageSeen()) { unlock(); } }

  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && entry.intersectionRatio >= 0.5 && last.complete) { unlock(); }
      });
    }, { threshold: [0.5, 0.75, 1] }).observe(last);
  }
  window.addEventListener("scroll", check, { passive: true });
  last.addEventListener("load", check);
  button.addEventListener("click", function (event) {
    if (!unlocked) { event.preventDefault(); }
  });
})();
