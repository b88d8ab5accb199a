"""Where a seal will land: the seal image drawn on a rendered page (Pillow)."""

from __future__ import annotations

import io

from PIL import Image

from .placement import Widget

__all__ = ["draw_preview"]


def draw_preview(
    page_jpeg: bytes,
    page_box: tuple[float, float, float, float],
    widget: Widget,
    seal_png: bytes,
) -> bytes:
    """``page_jpeg`` (the page box) with ``seal_png`` in ``widget``'s rectangle."""
    with Image.open(io.BytesIO(page_jpeg)) as opened:
        page = opened.convert("RGB")
    x0, y0, x1, y1 = page_box
    scale_x = page.width / (x1 - x0)
    scale_y = page.height / (y1 - y0)
    left, bottom, right, top = widget.rect
    size = (
        max(1, round((right - left) * scale_x)),
        max(1, round((top - bottom) * scale_y)),
    )
    with Image.open(io.BytesIO(seal_png)) as opened:
        seal = opened.convert("RGBA").resize(size, Image.Resampling.LANCZOS)
    page.paste(seal, (round((left - x0) * scale_x), round((y1 - top) * scale_y)), seal)
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()
