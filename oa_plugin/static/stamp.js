/*
 * Sealbridge Stamp button for e-cology forms.
 *
 * Put this file where the OA serves static files and include it in the
 * workflow form's custom script (代码块). The form's server side renders
 *   <span id="sealbridge-stamp" data-bridge="https://bridge" data-ticket="..."></span>
 * with a short-lived ticket signed by the OA (never a secret in the browser).
 * The button opens the bridge's stamp page in a dialog; when the bridge says
 * the document is sealed, the form reloads to show the sealed PDF once the
 * bridge has written it back.
 */
(function () {
  "use strict";
  var slot = document.getElementById("sealbridge-stamp");
  if (!slot) { return; }
  var bridge = slot.getAttribute("data-bridge").replace(/\/$/, "");
  var ticket = slot.getAttribute("data-ticket");

  var button = document.createElement("button");
  button.type = "button";
  button.id = "sealbridge-stamp-button";
  button.textContent = "盖章 Stamp";
  slot.appendChild(button);

  var dialog = null;
  button.addEventListener("click", function () {
    if (dialog) { return; }
    dialog = document.createElement("div");
    dialog.style.cssText = "position:fixed;inset:5%;background:#fff;border:1px solid #888;" +
      "box-shadow:0 0 1em #0006;z-index:9999";
    var frame = document.createElement("iframe");
    frame.id = "sealbridge-stamp-frame";
    frame.style.cssText = "width:100%;height:100%;border:0";
    frame.src = bridge + "/oa/stamp?ticket=" + encodeURIComponent(ticket);
    dialog.appendChild(frame);
    document.body.appendChild(dialog);
  });

  window.addEventListener("message", function (event) {
    if (event.origin !== new URL(bridge).origin) { return; }
    var data = event.data || {};
    if (data.type === "sealbridge:stamped") {
      slot.textContent = "已盖章，正在回写 OA…";
      setTimeout(function () { window.location.reload(); }, 3000);
    } else if (data.type === "sealbridge:closed" && dialog) {
      dialog.remove();
      dialog = null;
    }
  });
})();
