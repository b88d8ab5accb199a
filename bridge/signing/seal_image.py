"""Seal images: draw Chinese company seals (电子印章) and import scanned ones.

A seal on a signed PDF should look like the stamp a company keeps in its drawer,
so drawing follows the sizes and proportions of physical seals: a 42 mm round
公章 with a star, a 45 x 30 mm oval 财务专用章, small square name seals.
Everything is drawn several times larger than needed and scaled down with
LANCZOS, which gives smooth edges; the alpha channel carries the shape and the
colour is the same red everywhere. The output is deterministic (the ink texture
is seeded from the inputs) so the same seal always has the same bytes.

Uploaded scans are validated, their paper background is made transparent and
they are cropped to the ink.
"""

from __future__ import annotations

import bisect
import enum
import functools
import hashlib
import io
import itertools
import logging
import math
import os
import subprocess
import time
import warnings
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageMath, ImageOps

from bridge.errors import (
    ConfigurationError,
    FileTooLargeError,
    InvalidImageError,
    InvalidInputError,
)

__all__ = [
    "SealKind",
    "SealShape",
    "draw_seal",
    "find_cjk_font",
    "import_scan",
    "lower_text_of",
    "shape_of",
]

logger = logging.getLogger(__name__)

_INK = (230, 0, 18)
_SUPERSAMPLE = 4
_MIN_PX_PER_MM = 4.0
_MAX_PX_PER_MM = 24.0
_MARGIN_PX = 2  # keeps the ring off the image edge, where LANCZOS would clip it
_INK_PER_EM = 0.95  # CJK ideographs fill about 95 % of their em square
_CHAR_GAP_MM = 0.5
_NAME_SEAL_MARK = "印"
_NOTDEF = "\U0010ffff"  # a noncharacter: every font draws its missing-glyph box
_MAX_RING_CHARS = 28
_MAX_NAME_CHARS = 4
_MAX_LOWER_CHARS = 10
_MAX_CODE_CHARS = 20

_FONT_ENV = "SEALBRIDGE_SEAL_FONT"
_NOTO = "/usr/share/fonts/opentype/noto"
_BOLD_FONTS = (f"{_NOTO}/NotoSansCJK-Bold.ttc", f"{_NOTO}/NotoSerifCJK-Bold.ttc")
_REGULAR_FONTS = (
    f"{_NOTO}/NotoSansCJK-Regular.ttc",
    f"{_NOTO}/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)

_SCAN_FORMATS = ("PNG", "JPEG")
_MIN_SCAN_PX = 32
_MAX_SCAN_PX = 6000
_MAX_SCAN_OUTPUT_PX = 2048  # beyond this a seal only gets heavier, not sharper
_PAPER_MIN = 200  # min(R, G, B) above this is paper ...
_INK_MIN = 60  # ... and below this fully inked
_GREY_SATURATION = 45  # max - min below this is colourless (paper, JPEG noise)
_FULL_SATURATION = 170
_VISIBLE_LUT = [255 if v > 24 else 0 for v in range(256)]  # ignores faint specks


class SealKind(enum.StrEnum):
    """The seals a company or a person registers; each has its own shape.

    A str enum, so the values travel as-is through JSON, forms and the CLI.
    """

    OFFICIAL = "official"
    CONTRACT = "contract"
    FINANCE = "finance"
    LEGAL_REP = "legal_rep"
    PERSONAL = "personal"


@dataclass(frozen=True)
class SealShape:
    """Outer size of a seal in millimetres."""

    width_mm: float
    height_mm: float
    """real physical size; the PDF placement uses it"""


@dataclass(frozen=True)
class _RingLayout:
    """Proportions of a round or oval seal, in millimetres."""

    ring: float  # width of the outer ring
    name_em: float  # em size of the company name
    name_gap: float  # between the ring and the top of the name
    squeeze: float  # real seals condense the name horizontally
    min_span: float  # degrees the name covers at least ...
    max_span: float  # ... and at most
    star: float  # diameter of the star, 0 for none
    lower_em: float
    lower_y: float  # centre of the lower line below the seal centre
    lower_max: float  # widest the lower line may get
    code_em: float


_ROUND = _RingLayout(
    ring=1.2,
    name_em=7.0,
    name_gap=0.8,
    squeeze=0.75,
    min_span=210.0,
    max_span=240.0,
    star=14.0,
    lower_em=4.7,
    lower_y=10.4,
    lower_max=21.0,
    code_em=2.4,
)
_OVAL = _RingLayout(
    ring=1.0,
    name_em=5.6,
    name_gap=0.7,
    squeeze=0.75,
    min_span=190.0,
    max_span=220.0,
    star=0.0,
    lower_em=4.6,
    lower_y=2.2,
    lower_max=26.0,
    code_em=2.2,
)
_RING_LAYOUTS = {
    SealKind.OFFICIAL: _ROUND,
    SealKind.CONTRACT: _ROUND,
    SealKind.FINANCE: _OVAL,
}
_SHAPES = {
    SealKind.OFFICIAL: SealShape(42.0, 42.0),
    SealKind.CONTRACT: SealShape(42.0, 42.0),
    SealKind.FINANCE: SealShape(45.0, 30.0),
    SealKind.LEGAL_REP: SealShape(20.0, 20.0),
    SealKind.PERSONAL: SealShape(18.0, 18.0),
}
_LOWER_TEXTS = {SealKind.CONTRACT: "合同专用章", SealKind.FINANCE: "财务专用章"}


def shape_of(kind: SealKind) -> SealShape:
    """Physical size of a seal kind, so placement matches the paper stamp."""
    return _SHAPES[_as_kind(kind)]


def lower_text_of(kind: SealKind) -> str | None:
    """The purpose line a seal kind carries under its star, if any."""
    return _LOWER_TEXTS.get(_as_kind(kind))


def draw_seal(
    kind: SealKind,
    text: str,
    *,
    lower_text: str | None = None,
    code: str | None = None,
    px_per_mm: float = 12.0,
    font_path: str | None = None,
) -> bytes:
    """Return PNG bytes (RGBA, transparent background, red ink ~ (230, 0, 18)).

    ``text`` is the company name for round/oval seals (drawn along the upper
    arc, characters rotated to follow it, squeezed horizontally like real seals,
    spread over about 210-240 degrees depending on length) or the person's
    name for square seals (a three-character name gets 印 to fill its 2 x 2
    grid); whitespace is dropped because seals carry none.
    ``lower_text`` defaults to ``lower_text_of(kind)``; an empty string leaves
    the line out. ``code`` (optional, e.g. a 13-digit seal code) is drawn small
    along the bottom arc of round and oval seals, as real Chinese seals carry
    it. Image size = shape size * px_per_mm (so a 42 mm seal is 504 px at the
    default).
    """
    started = time.perf_counter()
    kind = _as_kind(kind)
    scale = _check_scale(px_per_mm)
    ring = _RING_LAYOUTS.get(kind)
    limit = _MAX_RING_CHARS if ring else _MAX_NAME_CHARS
    name = _clean_text(text, "text", limit)
    if ring is None:
        if lower_text or code:
            raise InvalidInputError("Name seals carry neither a lower line nor a code.")
        lower = None
        if len(name) == 3:
            name += _NAME_SEAL_MARK  # fills the 2 x 2 grid, as name seals do
    else:
        lower = lower_text_of(kind) if lower_text is None else lower_text
        lower = _clean_text(lower, "lower_text", _MAX_LOWER_CHARS) if lower else None
    if code is not None:
        code = _clean_code(code)
    font = font_path if font_path is not None else find_cjk_font()
    _check_glyphs(font, name + (lower or "") + (code or ""))

    shape = _SHAPES[kind]
    size = (round(shape.width_mm * scale), round(shape.height_mm * scale))
    mask = Image.new("L", (size[0] * _SUPERSAMPLE, size[1] * _SUPERSAMPLE), 0)
    px_mm = scale * _SUPERSAMPLE
    margin = _MARGIN_PX * _SUPERSAMPLE
    if ring is None:
        _draw_name_seal(mask, px_mm, margin, name, font)
    else:
        _draw_ring_seal(mask, px_mm, margin, ring, name, lower, code, font)
    alpha = mask.resize(size, Image.Resampling.LANCZOS)
    seed = repr((kind.value, name, lower, code, scale)).encode()
    alpha = ImageChops.multiply(alpha, _ink_texture(size, scale, seed))
    image = Image.new("RGBA", size, (*_INK, 0))
    image.putalpha(alpha)
    png = _png(image)
    logger.debug(
        "drew %s seal %dx%d px in %.0f ms",
        kind.value,
        size[0],
        size[1],
        (time.perf_counter() - started) * 1000,
    )
    return png


@functools.lru_cache(maxsize=2)
def find_cjk_font(bold: bool = True) -> str:
    """Path of a font that can draw Chinese, since seals cannot fall back to tofu.

    Looks at ``SEALBRIDGE_SEAL_FONT`` first, then asks fontconfig, then tries
    the Debian paths of fonts-noto-cjk and wqy. The answer is cached.
    """
    configured = os.environ.get(_FONT_ENV)
    if configured:
        if not os.path.isfile(configured):
            raise ConfigurationError(f"{_FONT_ENV}={configured} is not a font file.")
        if not _covers_cjk(configured):
            raise ConfigurationError(f"{_FONT_ENV}={configured} has no CJK glyphs.")
        return configured
    weight = "bold" if bold else "regular"
    known = _BOLD_FONTS + _REGULAR_FONTS if bold else _REGULAR_FONTS + _BOLD_FONTS
    for path in (_fc_match(f"Noto Sans CJK SC:{weight}"), *known):
        if path and os.path.isfile(path) and _covers_cjk(path):
            logger.info("seal font: %s", path)
            return path
    raise ConfigurationError(
        "No CJK font found to draw seals: install fonts-noto-cjk "
        f"or set {_FONT_ENV} to a font file."
    )


def import_scan(data: bytes, *, max_bytes: int = 5 * 1024 * 1024) -> bytes:
    """Turn an uploaded PNG/JPEG scan of a seal into a transparent RGBA PNG.

    The paper (near-white, colourless pixels) becomes transparent and edge
    pixels get an alpha proportional to their ink, with the white blended out
    of their colour, so the seal sits cleanly on any page. The result is
    cropped to the ink and at most 2048 px on its long side.
    """
    if len(data) > max_bytes:
        raise FileTooLargeError(
            f"The seal image has {len(data)} bytes; the limit is {max_bytes}."
        )
    rgb = _on_white(_open_scan(data))
    alpha = _scan_alpha(rgb)
    box = None if alpha is None else alpha.point(_VISIBLE_LUT).getbbox()
    if alpha is None or box is None:
        raise InvalidImageError("The seal image is blank: no ink was found on it.")
    rgb, alpha = rgb.crop(box), alpha.crop(box)
    width, height = rgb.size
    if max(width, height) > _MAX_SCAN_OUTPUT_PX:
        ratio = _MAX_SCAN_OUTPUT_PX / max(width, height)
        size = (max(1, round(width * ratio)), max(1, round(height * ratio)))
        rgb = rgb.resize(size, Image.Resampling.LANCZOS)
        alpha = alpha.resize(size, Image.Resampling.LANCZOS)
    # Dividing by at least 255 - min(R, G, B) keeps the colour of faint pixels
    # in range instead of clipping it to a dark fringe.
    cover = ImageChops.lighter(alpha, ImageChops.invert(_lightness_range(rgb)[0]))
    ink = Image.merge("RGB", [_unblend_white(c, cover) for c in rgb.split()])
    image = Image.new("RGBA", rgb.size, (*_INK, 0))
    # Paper pixels keep the ink colour: scaling the seal later blends no black in.
    image.paste(ink, mask=alpha.point(lambda v: 255 if v else 0))
    image.putalpha(alpha)
    logger.debug("imported seal scan %dx%d px", image.width, image.height)
    return _png(image)


# --- validation ----------------------------------------------------------------


def _as_kind(kind: SealKind | str) -> SealKind:
    try:
        return SealKind(kind)
    except ValueError:
        raise InvalidInputError(f"Unknown seal kind: {kind!r}.") from None


def _check_scale(px_per_mm: float) -> float:
    """Bound the resolution: below it text is unreadable, above it memory grows."""
    if isinstance(px_per_mm, bool) or not isinstance(px_per_mm, int | float):
        raise InvalidInputError("px_per_mm must be a number.")
    if not _MIN_PX_PER_MM <= px_per_mm <= _MAX_PX_PER_MM:
        raise InvalidInputError(
            f"px_per_mm must be between {_MIN_PX_PER_MM:g} and {_MAX_PX_PER_MM:g}."
        )
    return float(px_per_mm)


def _clean_text(value: str, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{field} must be a string.")
    cleaned = "".join(value.split())
    if not cleaned:
        raise InvalidInputError(f"{field} must not be empty.")
    if len(cleaned) > limit:
        raise InvalidInputError(f"{field} has more than {limit} characters.")
    if not cleaned.isprintable():
        raise InvalidInputError(f"{field} contains control characters.")
    return cleaned


def _clean_code(code: str) -> str:
    """Seal codes are registration numbers: short, ASCII letters and digits."""
    cleaned = code.strip() if isinstance(code, str) else ""
    if not 0 < len(cleaned) <= _MAX_CODE_CHARS:
        raise InvalidInputError(
            f"The seal code must be 1 to {_MAX_CODE_CHARS} characters."
        )
    if not (cleaned.isascii() and cleaned.replace("-", "").isalnum()):
        raise InvalidInputError("The seal code may hold only letters, digits and '-'.")
    return cleaned


def _check_glyphs(font_path: str, chars: str) -> None:
    """Refuse text the font would draw as empty boxes on a legal document."""
    font = _font(font_path, 32)
    missing = sorted({ch for ch in chars if not _has_glyph(font, ch)})
    if missing:
        raise InvalidInputError(
            f"The seal font cannot draw these characters: {''.join(missing)}."
        )


# --- fonts ---------------------------------------------------------------------


def _fc_match(pattern: str) -> str | None:
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        logger.debug("fc-match unavailable: %s", exc)
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def _covers_cjk(path: str) -> bool:
    try:
        return _has_glyph(_font(path, 32), "国")
    except ConfigurationError:
        return False


@functools.lru_cache(maxsize=16)
def _face_index(path: str) -> int:
    """Pick the Simplified Chinese face of a collection: glyph forms differ."""
    for index in range(32):
        try:
            family = ImageFont.truetype(path, 16, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC"):
            return index
    return 0


@functools.lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(
            path, size, index=_face_index(path), layout_engine=ImageFont.Layout.BASIC
        )
    except OSError as exc:
        raise ConfigurationError(f"Cannot load the seal font {path}: {exc}") from exc


def _has_glyph(font: ImageFont.FreeTypeFont, ch: str) -> bool:
    return _render_probe(font, ch) != _render_probe(font, _NOTDEF)


def _render_probe(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    image = Image.new("L", (2 * font.size, 2 * font.size))
    origin = (font.size // 2, font.size * 3 // 2)
    ImageDraw.Draw(image).text(origin, ch, font=font, fill=255, anchor="ls")
    return image.tobytes()


def _glyph(font_path: str, ch: str, em_w: float, em_h: float) -> Image.Image:
    """One character whose em square is em_w x em_h px, centred in the image.

    Centring uses the ink of 国 rather than the font's line metrics, which put
    CJK glyphs visibly off centre.
    """
    size = max(8, round(em_h))
    font = _font(font_path, size)
    pad = size // 4
    canvas = Image.new("L", (size + 2 * pad, size + 2 * pad))
    _, top, _, bottom = font.getbbox("国", anchor="ls")
    x = pad + (size - font.getlength(ch)) / 2
    y = pad + size / 2 - (top + bottom) / 2
    ImageDraw.Draw(canvas).text((x, y), ch, font=font, fill=255, anchor="ls")
    width = max(1, round(canvas.width * em_w / size))
    return canvas.resize((width, canvas.height), Image.Resampling.LANCZOS)


def _stamp(
    mask: Image.Image, glyph: Image.Image, x: float, y: float, angle: float
) -> None:
    """Ink glyph centred on (x, y), turned clockwise by angle degrees."""
    if angle:
        glyph = glyph.rotate(-angle, Image.Resampling.BILINEAR, expand=True)
    left, top = round(x - glyph.width / 2), round(y - glyph.height / 2)
    mask.paste(255, (left, top, left + glyph.width, top + glyph.height), glyph)


# --- round and oval seals ------------------------------------------------------


class _Ellipse:
    """Arc-length lookup on an ellipse; t runs clockwise from the top, in radians.

    Characters must sit at equal distances along the curve, which on an oval
    are not equal angles.
    """

    _STEPS = 720

    def __init__(self, a: float, b: float) -> None:
        self.a, self.b = a, b
        self._ts = [math.pi * k / self._STEPS for k in range(self._STEPS + 1)]
        self._lengths = [0.0]
        for t0, t1 in itertools.pairwise(self._ts):
            middle = (t0 + t1) / 2
            speed = math.hypot(a * math.cos(middle), b * math.sin(middle))
            self._lengths.append(self._lengths[-1] + speed * (t1 - t0))
        self.half = self._lengths[-1]

    def length_to(self, t: float) -> float:
        """Arc length from the top to t, for 0 <= t <= pi."""
        k = min(int(t / math.pi * self._STEPS), self._STEPS - 1)
        share = t / math.pi * self._STEPS - k
        return self._lengths[k] + share * (self._lengths[k + 1] - self._lengths[k])

    def t_at(self, s: float) -> float:
        """Point at signed arc length s from the top (negative is leftwards)."""
        distance = min(abs(s), self.half)
        k = min(bisect.bisect_right(self._lengths, distance), self._STEPS) - 1
        step = self._lengths[k + 1] - self._lengths[k]
        t = self._ts[k] + (distance - self._lengths[k]) / step * (math.pi / self._STEPS)
        return math.copysign(t, s)

    def point(self, t: float) -> tuple[float, float, float]:
        """Offset from the centre and tangent angle in degrees (0 at the top)."""
        x, y = self.a * math.sin(t), -self.b * math.cos(t)
        angle = math.degrees(math.atan2(self.b * math.sin(t), self.a * math.cos(t)))
        return x, y, angle


def _draw_ring_seal(
    mask: Image.Image,
    px_mm: float,
    margin: float,
    layout: _RingLayout,
    name: str,
    lower: str | None,
    code: str | None,
    font: str,
) -> None:
    draw = ImageDraw.Draw(mask)
    cx, cy = mask.width / 2, mask.height / 2
    a, b = cx - margin, cy - margin
    ring = layout.ring * px_mm
    draw.ellipse((cx - a, cy - b, cx + a, cy + b), fill=255)
    a, b = a - ring, b - ring
    draw.ellipse((cx - a, cy - b, cx + a, cy + b), fill=0)
    _draw_name_arc(mask, px_mm, layout, name, font, a, b)
    if layout.star:
        _draw_star(draw, cx, cy, layout.star * px_mm / 2)
    if lower:
        _draw_lower_line(mask, px_mm, layout, lower, font)
    if code:
        _draw_code_arc(mask, px_mm, layout, code, font, a, b)


def _draw_name_arc(
    mask: Image.Image,
    px_mm: float,
    layout: _RingLayout,
    name: str,
    font: str,
    a: float,
    b: float,
) -> None:
    """Company name along the upper arc, inside the ring (a, b: its inner edge).

    The span grows with the number of characters between min_span and max_span;
    short names get at most 1.5 times their natural spacing so they do not
    scatter, long ones are condensed further to fit.
    """
    em = layout.name_em * px_mm
    inset = layout.name_gap * px_mm + em * _INK_PER_EM / 2
    path = _Ellipse(a - inset, b - inset)
    gap = _CHAR_GAP_MM * px_mm
    natural = len(name) * (em * layout.squeeze * _INK_PER_EM + gap)
    half_span = min(
        max(
            path.t_at(natural / 2),
            min(math.radians(layout.min_span / 2), path.t_at(natural * 0.75)),
        ),
        math.radians(layout.max_span / 2),
    )
    length = 2 * path.length_to(half_span)
    slot = length / len(name)
    em_w = min(em * layout.squeeze, (slot - gap) / _INK_PER_EM)
    # Very condensed names also get shorter, keeping their tops at the same
    # distance from the ring, or they turn into a dark band.
    em_h = em * min(1.0, max(0.85, math.sqrt(em_w / em / 0.6)))
    lift = (em - em_h) * _INK_PER_EM / 2
    cx, cy = mask.width / 2, mask.height / 2
    for i, ch in enumerate(name):
        x, y, angle = path.point(path.t_at((i + 0.5) * slot - length / 2))
        x += lift * math.sin(math.radians(angle))
        y -= lift * math.cos(math.radians(angle))
        _stamp(mask, _glyph(font, ch, em_w, em_h), cx + x, cy + y, angle)


def _draw_code_arc(
    mask: Image.Image,
    px_mm: float,
    layout: _RingLayout,
    code: str,
    font: str,
    a: float,
    b: float,
) -> None:
    """Seal code along the bottom arc, read left to right, tops to the centre."""
    em = layout.code_em * px_mm
    inset = 0.5 * px_mm + em * 0.37  # digits are about 0.74 em tall
    path = _Ellipse(a - inset, b - inset)
    pitch = em * 0.5
    cx, cy = mask.width / 2, mask.height / 2
    for i, ch in enumerate(code):
        d = (len(code) / 2 - i - 0.5) * pitch  # arc length left of the bottom
        t = math.pi + math.copysign(math.pi - path.t_at(path.half - abs(d)), d)
        x, y, angle = path.point(t)
        _stamp(mask, _glyph(font, ch, em * 0.85, em), cx + x, cy + y, angle - 180)


def _draw_star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for k in range(10):
        r = radius if k % 2 == 0 else inner
        angle = math.radians(-90 + 36 * k)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=255)


def _draw_lower_line(
    mask: Image.Image, px_mm: float, layout: _RingLayout, lower: str, font: str
) -> None:
    """Purpose line (合同专用章 ...) written horizontally under the star."""
    em = layout.lower_em * px_mm
    gap = 0.3 * px_mm
    em_w = em * 0.85
    widest = (layout.lower_max * px_mm - (len(lower) - 1) * gap) / len(lower)
    em_w = min(em_w, widest / _INK_PER_EM)
    pitch = em_w * _INK_PER_EM + gap
    cx, y = mask.width / 2, mask.height / 2 + layout.lower_y * px_mm
    for i, ch in enumerate(lower):
        x = cx + (i - (len(lower) - 1) / 2) * pitch
        _stamp(mask, _glyph(font, ch, em_w, em), x, y, 0)


# --- square name seals ---------------------------------------------------------


def _draw_name_seal(
    mask: Image.Image, px_mm: float, margin: float, name: str, font: str
) -> None:
    """A framed grid of the name's characters, read in columns right to left.

    One character fills the frame, two stand side by side, four (three plus 印)
    make a 2 x 2 grid whose right column holds the first two.
    """
    k = mask.width / px_mm / 20  # proportions of a 20 mm seal
    frame, pad, gap = 1.1 * k * px_mm, 0.6 * k * px_mm, 0.5 * k * px_mm
    corner = 0.8 * k * px_mm
    draw = ImageDraw.Draw(mask)
    right, bottom = mask.width - margin, mask.height - margin
    draw.rounded_rectangle((margin, margin, right, bottom), corner, fill=255)
    inner = (margin + frame, margin + frame, right - frame, bottom - frame)
    draw.rounded_rectangle(inner, max(corner - frame, 0), fill=0)
    rows = 1 if len(name) <= 2 else 2
    cols = math.ceil(len(name) / rows)
    width = (inner[2] - inner[0] - 2 * pad - (cols - 1) * gap) / cols
    height = (inner[3] - inner[1] - 2 * pad - (rows - 1) * gap) / rows
    for i, ch in enumerate(name):
        col, row = divmod(i, rows)
        x = inner[2] - pad - col * (width + gap) - width / 2
        y = inner[1] + pad + row * (height + gap) + height / 2
        glyph = _glyph(font, ch, width / _INK_PER_EM, height / _INK_PER_EM)
        _stamp(mask, glyph, x, y, 0)


# --- ink and output ------------------------------------------------------------


def _ink_texture(size: tuple[int, int], px_per_mm: float, seed: bytes) -> Image.Image:
    """Uneven ink: soft blotches of about 0.7 mm plus a fine grain.

    Noise comes from SHAKE-256 of the seal's inputs, so it never changes for
    the same seal.
    """
    cell = max(1, round(px_per_mm * 0.7))
    coarse_size = (size[0] // cell + 2, size[1] // cell + 2)
    coarse = _noise(coarse_size, seed + b"coarse").resize(
        size, Image.Resampling.BICUBIC
    )
    fine = _noise(size, seed + b"fine")
    return ImageChops.multiply(
        coarse.point(lambda v: 205 + v * 50 // 255),
        fine.point(lambda v: 235 + v * 20 // 255),
    )


def _noise(size: tuple[int, int], seed: bytes) -> Image.Image:
    return Image.frombytes("L", size, hashlib.shake_256(seed).digest(size[0] * size[1]))


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# --- scans ---------------------------------------------------------------------


def _open_scan(data: bytes) -> Image.Image:
    """Decode an upload, refusing anything but a sane PNG or JPEG."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=_SCAN_FORMATS) as probe:
                _check_scan_size(probe.size)
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=_SCAN_FORMATS)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InvalidImageError("The seal image has too many pixels.") from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InvalidImageError(
                "The seal image is not a readable PNG or JPEG file."
            ) from exc
    return ImageOps.exif_transpose(image)


def _on_white(image: Image.Image) -> Image.Image:
    """Flatten onto white: transparent pixels of a PNG often hide black."""
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def _check_scan_size(size: tuple[int, int]) -> None:
    if min(size) < _MIN_SCAN_PX or max(size) > _MAX_SCAN_PX:
        raise InvalidImageError(
            f"The seal image is {size[0]}x{size[1]} px; each side must be "
            f"{_MIN_SCAN_PX} to {_MAX_SCAN_PX} px."
        )


def _ramp(start: int, end: int) -> list[int]:
    """Lookup table rising linearly from 0 at start to 255 at end (either way)."""
    return [
        round(255 * min(max((v - start) / (end - start), 0.0), 1.0)) for v in range(256)
    ]


def _scan_alpha(rgb: Image.Image) -> Image.Image | None:
    """Ink coverage per pixel, or None when the scan holds no ink.

    Dark or coloured pixels are ink, pale grey ones paper. A first guess finds
    the strokes; the alpha ramps are then stretched to this scan's own ink, so
    a pale red stamp comes out as opaque as a dark one instead of see-through.
    """
    low, high = _lightness_range(rgb)
    saturation = ImageChops.subtract(high, low)
    guess = ImageChops.lighter(
        low.point(_ramp(_PAPER_MIN, _INK_MIN)),
        saturation.point(_ramp(_GREY_SATURATION, _FULL_SATURATION)),
    )
    strokes = guess.point(lambda v: 255 if v > 128 else 0)
    if strokes.getbbox() is None:
        return None
    ink_low = _percentile(low.histogram(strokes), 0.7)
    ink_saturation = _percentile(saturation.histogram(strokes), 0.3)
    return ImageChops.lighter(
        low.point(_ramp(_PAPER_MIN, min(ink_low, _PAPER_MIN - 40))),
        saturation.point(
            _ramp(_GREY_SATURATION, max(ink_saturation, _GREY_SATURATION + 40))
        ),
    )


def _lightness_range(rgb: Image.Image) -> tuple[Image.Image, Image.Image]:
    """Per pixel min(R, G, B) and max(R, G, B)."""
    r, g, b = rgb.split()
    low = ImageChops.darker(ImageChops.darker(r, g), b)
    return low, ImageChops.lighter(ImageChops.lighter(r, g), b)


def _percentile(histogram: list[int], share: float) -> int:
    """Value below which the given share of the counted pixels lies."""
    cumulative = list(itertools.accumulate(histogram))
    return bisect.bisect_left(cumulative, share * cumulative[-1])


def _unblend_white(channel: Image.Image, cover: Image.Image) -> Image.Image:
    """Colour the ink had before it was mixed with white paper at this cover."""
    return ImageMath.lambda_eval(
        lambda e: e["convert"](255 - (255 - e["c"]) * 255 / e["max"](e["a"], 1), "L"),
        c=channel,
        a=cover,
    )
