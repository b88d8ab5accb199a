"""Tests of seal drawing and scan import on real pixels.

Geometry checks sample the rendered PNGs at positions computed from the
physical layout (42 mm ring of 1.2 mm, 14 mm star, ...), so a seal that is
drawn at the wrong size, in the wrong place or without transparency fails.
"""

from __future__ import annotations

import io
import math
import struct
import zlib

import pytest
from PIL import Image, ImageChops, ImageDraw

from bridge.errors import (
    ConfigurationError,
    FileTooLargeError,
    InvalidImageError,
    InvalidInputError,
)
from bridge.signing.seal_image import (
    SealKind,
    SealShape,
    draw_seal,
    find_cjk_font,
    import_scan,
    lower_text_of,
    shape_of,
)

INK = (230, 0, 18)
PX = 12.0  # the default px_per_mm
COMPANY = "北京云印科技有限公司"
CODE = "1101080123456"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXTS = {
    SealKind.OFFICIAL: COMPANY,
    SealKind.CONTRACT: COMPANY,
    SealKind.FINANCE: COMPANY,
    SealKind.LEGAL_REP: "王建国",
    SealKind.PERSONAL: "李明",
}


@pytest.fixture(autouse=True)
def _fresh_font_lookup(monkeypatch):
    """Each test sees find_cjk_font without a stale cache or a stray override."""
    monkeypatch.delenv("SEALBRIDGE_SEAL_FONT", raising=False)
    find_cjk_font.cache_clear()
    yield
    find_cjk_font.cache_clear()


@pytest.fixture(scope="module")
def font() -> str:
    try:
        return find_cjk_font()
    except ConfigurationError:
        pytest.skip("no CJK font installed (fonts-noto-cjk)")


@pytest.fixture(scope="module")
def draw(font):
    """draw_seal with the font found once, so tests do not rerun fc-match."""

    def _draw(kind: SealKind, text: str, **options) -> Image.Image:
        return _open_png(draw_seal(kind, text, font_path=font, **options))

    return _draw


@pytest.fixture(scope="module")
def official(draw) -> Image.Image:
    return draw(SealKind.OFFICIAL, COMPANY)


def _open_png(data: bytes) -> Image.Image:
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image


def _mm(value: float) -> float:
    return value * PX


def _alpha(image: Image.Image, x: float, y: float) -> int:
    return image.getpixel((int(x), int(y)))[3]


def _ink_mask(
    image: Image.Image, box: tuple[float, float, float, float]
) -> Image.Image:
    """Where box shows ink, ignoring the faint anti-aliasing fringe."""
    crop = image.getchannel("A").crop(tuple(round(v) for v in box))
    return crop.point(lambda v: 255 if v > 64 else 0)


def _inked(image: Image.Image, box: tuple[float, float, float, float]) -> int:
    return _ink_mask(image, box).histogram()[255]


def _ink_difference(
    first: Image.Image, second: Image.Image, box: tuple[float, float, float, float]
) -> int:
    """Pixels in box inked in one image but not the other."""
    masks = (_ink_mask(first, box), _ink_mask(second, box))
    return ImageChops.difference(*masks).histogram()[255]


# --- shapes -------------------------------------------------------------------


def test_shapes_are_the_physical_seal_sizes():
    assert shape_of(SealKind.OFFICIAL) == SealShape(42.0, 42.0)
    assert shape_of(SealKind.CONTRACT) == SealShape(42.0, 42.0)
    assert shape_of(SealKind.FINANCE) == SealShape(45.0, 30.0)
    assert shape_of(SealKind.LEGAL_REP) == SealShape(20.0, 20.0)
    assert shape_of(SealKind.PERSONAL) == SealShape(18.0, 18.0)
    assert shape_of("finance") == SealShape(45.0, 30.0)


def test_lower_text_per_kind():
    assert lower_text_of(SealKind.OFFICIAL) is None
    assert lower_text_of(SealKind.CONTRACT) == "合同专用章"
    assert lower_text_of(SealKind.FINANCE) == "财务专用章"
    assert lower_text_of(SealKind.LEGAL_REP) is None
    assert lower_text_of(SealKind.PERSONAL) is None


# --- drawing ------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SealKind))
def test_seal_is_rgba_png_of_the_physical_size(draw, kind):
    image = draw(kind, TEXTS[kind])
    shape = shape_of(kind)
    assert image.mode == "RGBA"
    assert image.size == (round(shape.width_mm * PX), round(shape.height_mm * PX))
    assert image.getpixel((0, 0))[3] == 0


def test_resolution_scales_the_image(draw):
    image = _open_png(draw_seal(SealKind.OFFICIAL, COMPANY, px_per_mm=8))
    assert image.size == (336, 336)
    assert draw(SealKind.OFFICIAL, COMPANY).size == (504, 504)


def test_round_seal_corners_are_transparent_and_ring_is_red(official):
    size = official.width
    for x, y in [(0, 0), (size - 1, 0), (0, size - 1), (size - 1, size - 1)]:
        assert official.getpixel((x, y))[3] == 0
        assert official.getpixel((x + 20 if x == 0 else x - 20, y))[3] == 0
    centre = size / 2
    ring_radius = centre - 2 - _mm(0.6)  # 2 px margin, half of the 1.2 mm ring
    for step in range(24):
        angle = math.radians(step * 15)
        x = centre + ring_radius * math.sin(angle)
        y = centre - ring_radius * math.cos(angle)
        pixel = official.getpixel((int(x), int(y)))
        assert pixel[:3] == INK
        assert pixel[3] > 150, (step, pixel)


def test_ring_edges_are_anti_aliased(official):
    centre = official.width / 2
    alphas = set()
    for step in range(40):
        radius = centre - 4 + step * 0.1
        alphas.add(_alpha(official, centre + radius * 0.5, centre - radius * 0.866))
    assert any(0 < a < 150 for a in alphas), sorted(alphas)


def test_official_seal_has_a_star_in_the_centre(official):
    centre = official.width / 2
    red = official.getpixel((int(centre), int(centre)))
    assert red[:3] == INK
    assert red[3] > 180
    assert _alpha(official, centre, centre - _mm(5.5)) > 128  # top point
    assert _alpha(official, centre + _mm(3), centre - _mm(5.5)) == 0  # beside it


def test_official_seal_has_nothing_below_the_star(official):
    centre = official.width / 2
    below = (centre - _mm(6), centre + _mm(7.5), centre + _mm(6), centre + _mm(18))
    assert _inked(official, below) == 0


def test_same_inputs_give_identical_bytes(font):
    first = draw_seal(SealKind.CONTRACT, COMPANY, code=CODE, font_path=font)
    second = draw_seal(SealKind.CONTRACT, COMPANY, code=CODE, font_path=font)
    assert first == second


def test_different_names_draw_different_characters(draw, official):
    other = draw(SealKind.OFFICIAL, "上海云印科技有限公司")
    assert official.tobytes() != other.tobytes()
    top = (0, 0, official.width, official.height // 2)
    assert _ink_difference(official, other, top) > 500


def test_lower_text_is_drawn_under_the_star(draw):
    with_line = draw(SealKind.CONTRACT, COMPANY)
    without_line = draw(SealKind.CONTRACT, COMPANY, lower_text="")
    other_line = draw(SealKind.CONTRACT, COMPANY, lower_text="发票专用章")
    centre = with_line.width / 2
    band = (centre - _mm(11), centre + _mm(7.5), centre + _mm(11), centre + _mm(13))
    assert _inked(with_line, band) > 1000
    assert _inked(without_line, band) == 0
    assert _ink_difference(with_line, other_line, band) > 300


def test_code_is_drawn_along_the_bottom_arc(draw, official):
    with_code = draw(SealKind.OFFICIAL, COMPANY, code=CODE)
    centre = with_code.width / 2
    bottom = (centre - _mm(4), centre + _mm(16.5), centre + _mm(4), centre + _mm(18.6))
    assert _inked(with_code, bottom) > 200
    assert _inked(official, bottom) == 0


def test_oval_finance_seal(draw):
    image = draw(SealKind.FINANCE, COMPANY, code=CODE)
    width, height = image.size
    assert image.getpixel((0, 0))[3] == 0
    assert image.getpixel((width - 1, height - 1))[3] == 0
    ring = 2 + _mm(0.5)  # margin plus half of the 1 mm ring
    for x, y in [(ring, height / 2), (width - ring, height / 2), (width / 2, ring)]:
        pixel = image.getpixel((int(x), int(y)))
        assert pixel[:3] == INK
        assert pixel[3] > 150
    assert _alpha(image, width / 2, height / 2 - _mm(3)) == 0  # no star
    line = (width / 2 - _mm(11), height / 2, width / 2 + _mm(11), height / 2 + _mm(4.5))
    assert _inked(image, line) > 800


def test_name_seal_has_a_red_frame(draw):
    image = draw(SealKind.LEGAL_REP, "王建国")
    middle = image.height // 2
    frame = image.getpixel((2 + int(_mm(0.55)), middle))
    assert frame[:3] == INK
    assert frame[3] > 150
    assert image.getpixel((1, 1))[3] == 0


def test_three_character_name_is_completed_with_yin(font):
    three = draw_seal(SealKind.LEGAL_REP, "王建国", font_path=font)
    assert three == draw_seal(SealKind.LEGAL_REP, "王建国印", font_path=font)


def test_name_seal_reads_right_column_first(draw):
    first = draw(SealKind.PERSONAL, "欧阳建国")
    fourth_changed = draw(SealKind.PERSONAL, "欧阳建华")
    half = first.width // 2
    quadrants = {
        "right_top": (half, 0, first.width, half),
        "right_bottom": (half, half, first.width, first.height),
        "left_top": (0, 0, half, half),
        "left_bottom": (0, half, half, first.height),
    }
    changes = {
        name: _ink_difference(first, fourth_changed, box)
        for name, box in quadrants.items()
    }
    assert changes["left_bottom"] > 300, changes
    for name in ("right_top", "right_bottom", "left_top"):
        assert changes[name] * 10 < changes["left_bottom"], changes


def test_two_character_name_reads_right_to_left(draw):
    image = draw(SealKind.PERSONAL, "李明")
    second_changed = draw(SealKind.PERSONAL, "李华")
    half = image.width // 2
    left = _ink_difference(image, second_changed, (0, 0, half, image.height))
    right = _ink_difference(image, second_changed, (half, 0, image.width, image.height))
    assert left > 300
    assert right * 10 < left


@pytest.mark.parametrize(
    ("kind", "text", "options"),
    [
        (SealKind.OFFICIAL, "", {}),
        (SealKind.OFFICIAL, "   ", {}),
        (SealKind.OFFICIAL, "北京\x07科技", {}),
        (SealKind.OFFICIAL, "北京𓀀科技有限公司", {}),
        (SealKind.OFFICIAL, "公" * 29, {}),
        (SealKind.PERSONAL, "欧阳建国华", {}),
        (SealKind.PERSONAL, "李明", {"code": CODE}),
        (SealKind.LEGAL_REP, "李明", {"lower_text": "法人章"}),
        (SealKind.OFFICIAL, COMPANY, {"code": "12 34"}),
        (SealKind.OFFICIAL, COMPANY, {"code": "一二三"}),
        (SealKind.OFFICIAL, COMPANY, {"px_per_mm": 0}),
        (SealKind.OFFICIAL, COMPANY, {"px_per_mm": 100}),
        ("round", COMPANY, {}),
    ],
)
def test_invalid_drawing_requests_are_refused(font, kind, text, options):
    with pytest.raises(InvalidInputError):
        draw_seal(kind, text, font_path=font, **options)


def test_missing_font_file_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError):
        draw_seal(SealKind.OFFICIAL, COMPANY, font_path=str(tmp_path / "none.ttf"))


# --- scans --------------------------------------------------------------------


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _red_circle(size: int = 300, radius: int = 100) -> Image.Image:
    """A red disc on white with smooth edges, drawn 4x larger and scaled down."""
    big = Image.new("RGB", (size * 4, size * 4), (255, 255, 255))
    low, high = (size // 2 - radius) * 4, (size // 2 + radius) * 4
    ImageDraw.Draw(big).ellipse((low, low, high, high), fill=(220, 20, 30))
    return big.resize((size, size), Image.Resampling.LANCZOS)


def test_scan_background_becomes_transparent_and_red_stays():
    result = _open_png(import_scan(_encode(_red_circle(), "JPEG", quality=90)))
    assert result.mode == "RGBA"
    assert 196 <= result.width <= 206
    assert 196 <= result.height <= 206
    for corner in [(0, 0), (result.width - 1, result.height - 1)]:
        assert result.getpixel(corner)[3] == 0
    red, green, blue, alpha = result.getpixel((result.width // 2, result.height // 2))
    assert alpha > 240
    assert red > 180
    assert green < 80
    assert blue < 80
    transparent = result.getchannel("A").histogram()[0] / (result.width * result.height)
    assert 0.15 < transparent < 0.3  # 1 - pi/4 of the crop is paper


def test_scan_edges_get_partial_alpha():
    result = _open_png(import_scan(_encode(_red_circle(), "PNG")))
    alphas = result.getchannel("A").histogram()
    assert sum(alphas[1:250]) > 0  # the circle's anti-aliased rim


def test_transparent_png_keeps_its_seal(font):
    seal = draw_seal(SealKind.OFFICIAL, COMPANY, font_path=font)
    result = _open_png(import_scan(seal))
    assert result.getpixel((0, 0))[3] == 0
    centre = result.width // 2
    red, green, blue, alpha = result.getpixel((centre, centre))
    assert alpha > 200
    assert red > 180
    assert green < 80
    assert blue < 80


def test_non_image_bytes_are_refused():
    with pytest.raises(InvalidImageError):
        import_scan(b"this is not an image, just text" * 10)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    with pytest.raises(InvalidImageError):
        import_scan(_encode(_red_circle(), fmt))


def test_files_above_the_limit_are_refused():
    with pytest.raises(FileTooLargeError):
        import_scan(b"\xff" * (5 * 1024 * 1024 + 1))
    with pytest.raises(FileTooLargeError):
        import_scan(_encode(_red_circle(), "PNG"), max_bytes=100)


@pytest.mark.parametrize("size", [(8, 8), (20, 400), (6001, 40)])
def test_absurd_dimensions_are_refused(size):
    with pytest.raises(InvalidImageError):
        import_scan(_encode(Image.new("RGB", size, (200, 0, 0)), "PNG"))


def test_truncated_jpeg_is_refused():
    data = _encode(_red_circle(), "JPEG")
    with pytest.raises(InvalidImageError):
        import_scan(data[: len(data) // 2])


def test_blank_scan_is_refused():
    with pytest.raises(InvalidImageError):
        import_scan(_encode(Image.new("RGB", (200, 200), (250, 250, 248)), "JPEG"))


def test_decompression_bomb_is_refused():
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    bomb = PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
    with pytest.raises(InvalidImageError):
        import_scan(bomb + chunk(b"IEND", b""))


# --- fonts --------------------------------------------------------------------


def test_font_from_environment_is_used_and_cached(font, tmp_path, monkeypatch):
    chosen = tmp_path / "seal-font.ttc"
    chosen.symlink_to(font)
    monkeypatch.setenv("SEALBRIDGE_SEAL_FONT", str(chosen))
    assert find_cjk_font() == str(chosen)
    monkeypatch.setenv("SEALBRIDGE_SEAL_FONT", str(tmp_path / "gone.ttc"))
    assert find_cjk_font() == str(chosen)  # cached until cleared
    find_cjk_font.cache_clear()
    with pytest.raises(ConfigurationError):
        find_cjk_font()


def test_missing_font_in_environment_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SEALBRIDGE_SEAL_FONT", str(tmp_path / "missing.ttc"))
    with pytest.raises(ConfigurationError, match="SEALBRIDGE_SEAL_FONT"):
        find_cjk_font()


def test_font_without_chinese_is_refused(tmp_path, monkeypatch):
    not_a_font = tmp_path / "latin.ttf"
    not_a_font.write_bytes(b"\x00\x01\x00\x00 not really a font")
    monkeypatch.setenv("SEALBRIDGE_SEAL_FONT", str(not_a_font))
    with pytest.raises(ConfigurationError):
        find_cjk_font()
