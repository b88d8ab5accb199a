"""DOCX → PDF for the bridge: one converter per app, input and output checked."""

from __future__ import annotations

from ..documents import Converter, build_converter, check_docx, check_pdf_fonts
from ..documents.coverage import uncovered_characters
from ..runtime import runtime

__all__ = ["convert_docx", "converter"]


def converter() -> Converter:
    """The app's converter, built on first use and kept as long as the app."""
    state = runtime()
    return state.cached("converter", lambda: build_converter(state.config))


def convert_docx(data: bytes, *, backend: str | None = None) -> bytes:
    """Screen ``data``, convert it and check the PDF's fonts.

    :param backend: a one-off converter (``soffice``, ...) instead of the app's.
    """
    config = runtime().config
    check_docx(data, config["MAX_UPLOAD_BYTES"])
    if backend is None:
        pdf = converter().convert(data)
    else:
        one_off = build_converter({**config, "CONVERTER": backend})
        try:
            pdf = one_off.convert(data)
        finally:
            one_off.close()
    # Glyph by glyph only when a box is possible: some character no local font
    # covers, or workers on other machines with fonts of their own.
    thorough = bool(config["CONVERSION_WORKERS"]) or bool(uncovered_characters(data))
    check_pdf_fonts(pdf, glyphs=thorough)
    return pdf
