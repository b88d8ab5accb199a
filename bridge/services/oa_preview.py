"""The stamp page's preview: where the seal will land, before anything is signed.

The first document's page is rendered by poppler (``pdftoppm``) and the seal
image is laid over it at the rectangle the real seal will use (the same
placement resolution as sealing), so what the approver confirms is what the
PDF will show.
"""

from __future__ import annotations

import io
import subprocess

from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from ..errors import ConversionError
from ..runtime import runtime
from ..signing.appearance import MM
from ..signing.pdf_input import check_pdf_bytes, pdf_errors
from ..signing.placement import resolve
from ..signing.sealer import page_boxes
from .oa_stamp import first_document, open_stamp, placements
from .seals import find_seal

__all__ = ["preview_png"]

DPI = 96


def _render(pdf: bytes, page: int) -> Image.Image:
    try:
        done = subprocess.run(
            ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(DPI), "-png"],
            input=pdf,
            capture_output=True,
            timeout=30,
            check=True,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise ConversionError("The page could not be rendered.") from exc
    return Image.open(io.BytesIO(done.stdout)).convert("RGB")


def preview_png(ticket_text: str, seal_ref: str) -> bytes:
    """The first document's sealed page as it will look, as PNG."""
    view = open_stamp(ticket_text, seal_ref)
    seal = find_seal(seal_ref)
    pdf = first_document(view.task)
    check_pdf_bytes(pdf, runtime().config["MAX_UPLOAD_BYTES"])
    with pdf_errors():
        boxes = page_boxes(PdfFileReader(io.BytesIO(pdf), strict=False))
        size = (seal.width_mm * MM, seal.height_mm * MM)
        widget = resolve(
            placements(view.task, pdf)[0], pdf=pdf, page_boxes=boxes, size=size
        )[0]
    page = _render(pdf, widget.page_index + 1)
    x0, y0, x1, y1 = widget.rect
    box = boxes[widget.page_index]
    scale = page.width / (box[2] - box[0])
    stamp = Image.open(io.BytesIO(seal.image_png)).convert("RGBA")
    stamp = stamp.resize((round((x1 - x0) * scale), round((y1 - y0) * scale)))
    page.paste(
        stamp, (round((x0 - box[0]) * scale), round((box[3] - y1) * scale)), stamp
    )
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()
