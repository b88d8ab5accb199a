/* A handwriting pad: pointer events, smoothed strokes, undo and clear,
   exported as a PNG trimmed to the ink with a transparent background. */
(function () {
  "use strict";

  function SignaturePad(canvas) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d");
    this.strokes = [];
    this.current = null;
    this.resize();
    var pad = this;
    canvas.addEventListener("pointerdown", function (e) { pad.start(e); });
    canvas.addEventListener("pointermove", function (e) { pad.move(e); });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (type) {
      canvas.addEventListener(type, function () { pad.end(); });
    });
    window.addEventListener("resize", function () { pad.resize(); });
  }

  SignaturePad.prototype.resize = function () {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var width = this.canvas.clientWidth || 300;
    var height = this.canvas.clientHeight || 150;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.context.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.redraw();
  };

  SignaturePad.prototype.point = function (e) {
    var box = this.canvas.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top, t: Date.now() };
  };

  SignaturePad.prototype.start = function (e) {
    e.preventDefault();
    if (this.canvas.setPointerCapture) { this.canvas.setPointerCapture(e.pointerId); }
    this.current = [this.point(e)];
    this.strokes.push(this.current);
    this.redraw();
  };

  SignaturePad.prototype.move = function (e) {
    if (!this.current) { return; }
    e.preventDefault();
    var p = this.point(e);
    var last = this.current[this.current.length - 1];
    if (Math.abs(p.x - last.x) + Math.abs(p.y - last.y) < 1.5) { return; }
    this.current.push(p);
    this.redraw();
  };

  SignaturePad.prototype.end = function () { this.current = null; };

  /* Quadratic curves through the midpoints; faster strokes are thinner. */
  function drawStroke(context, points, scale, dx, dy) {
    context.fillStyle = context.strokeStyle = "#10102a";
    context.lineCap = context.lineJoin = "round";
    if (points.length === 1) {
      context.beginPath();
      context.arc((points[0].x - dx) * scale, (points[0].y - dy) * scale, 1.6 * scale, 0, 2 * Math.PI);
      context.fill();
      return;
    }
    for (var i = 1; i < points.length; i++) {
      var a = points[i - 1], b = points[i], prev = points[Math.max(i - 2, 0)];
      var speed = Math.hypot(b.x - a.x, b.y - a.y) / Math.max(b.t - a.t, 1);
      context.lineWidth = Math.max(1.6, 4 - speed * 1.2) * scale;
      var startX = (prev.x + a.x) / 2, startY = (prev.y + a.y) / 2;
      var endX = (a.x + b.x) / 2, endY = (a.y + b.y) / 2;
      if (i === points.length - 1) { endX = b.x; endY = b.y; }
      context.beginPath();
      context.moveTo((startX - dx) * scale, (startY - dy) * scale);
      context.quadraticCurveTo((a.x - dx) * scale, (a.y - dy) * scale, (endX - dx) * scale, (endY - dy) * scale);
      context.stroke();
    }
  }

  SignaturePad.prototype.redraw = function () {
    var c = this.context;
    c.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.strokes.forEach(function (points) { drawStroke(c, points, 1, 0, 0); });
  };

  SignaturePad.prototype.undo = function () { this.strokes.pop(); this.redraw(); };
  SignaturePad.prototype.clear = function () { this.strokes = []; this.redraw(); };
  SignaturePad.prototype.isEmpty = function () {
    var points = 0;
    this.strokes.forEach(function (s) { points += s.length; });
    return points < 8;
  };

  /* PNG of the ink only, at twice the drawn size, transparent around it. */
  SignaturePad.prototype.toTrimmedPNG = function () {
    var xs = [], ys = [];
    this.strokes.forEach(function (s) { s.forEach(function (p) { xs.push(p.x); ys.push(p.y); }); });
    var pad = 6, scale = 2;
    var left = Math.min.apply(null, xs) - pad, top = Math.min.apply(null, ys) - pad;
    var width = Math.max.apply(null, xs) + pad - left, height = Math.max.apply(null, ys) + pad - top;
    var out = document.createElement("canvas");
    out.width = Math.ceil(width * scale);
    out.height = Math.ceil(height * scale);
    var context = out.getContext("2d");
    this.strokes.forEach(function (points) { drawStroke(context, points, scale, left, top); });
    return out.toDataURL("image/png");
  };

  window.SignaturePad = SignaturePad;
})();
