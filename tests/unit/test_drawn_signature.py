"""The drawn signature: trimmed to the ink, transparent, and checked like any upload."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from bridge.errors import InvalidImageError
from bridge.signing.drawn_signature import signature_artwork


def _png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _drawing(size=(600, 300)) -> Image.Image:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(100, 200), (200, 80), (300, 220)], fill="black", width=8
    )
    return image


def test_the_signature_is_trimmed_to_its_ink_and_stays_transparent():
    artwork, trimmed = signature_artwork(_png(_drawing()))
    with Image.open(io.BytesIO(trimmed)) as image:
        assert image.mode == "RGBA"
        assert image.size[0] < 230
        assert image.size[1] < 160
        assert image.getpixel((0, image.height - 1))[3] == 0  # a transparent corner
    assert artwork.height_pt == pytest.approx(14 / 25.4 * 72)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (_png(Image.new("RGBA", (300, 100), (0, 0, 0, 0))), "empty_signature"),
        (_png(_drawing().convert("RGB"), "JPEG"), "invalid_signature"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "invalid_signature"),
        (_png(Image.new("RGBA", (4000, 10), (0, 0, 0, 0))), "invalid_signature"),
        (b"x" * (600 * 1024), "invalid_signature"),
    ],
)
def test_bad_drawings_are_refused_with_a_code(data, code):
    with pytest.raises(InvalidImageError) as caught:
        signature_artwork(data)
    assert caught.value.code == code
