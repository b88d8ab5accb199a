"""Documents without Flask: screening .docx input, DOCX → PDF, checking the PDF."""

from .conversion import BACKENDS, Converter, build_converter
from .docx_input import check_docx
from .fonts import FONT_ALIASES
from .pdf_fonts import check_pdf_fonts

__all__ = [
    "BACKENDS",
    "FONT_ALIASES",
    "Converter",
    "build_converter",
    "check_docx",
    "check_pdf_fonts",
]
