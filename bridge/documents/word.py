"""Microsoft Word through docx2pdf, for deployments on Windows or macOS.

Word's own layout is the reference for documents written in Word, so where it
is installed it beats any substitute. docx2pdf cannot run on Linux, which is a
configuration error, not a per-document one. Each conversion runs in a child
process so that a hung Word automation call can be abandoned on timeout.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from ..errors import ConfigurationError, ConversionError
from .processes import run_in_group

__all__ = ["Docx2PdfConverter"]

SCRIPT = "import sys, docx2pdf; docx2pdf.convert(sys.argv[1], sys.argv[2])"


class Docx2PdfConverter:
    """Word (via docx2pdf) converts; only on Windows and macOS."""

    def __init__(self, *, timeout: float = 30.0) -> None:
        if sys.platform not in ("win32", "darwin"):
            raise ConfigurationError(
                "CONVERTER=docx2pdf needs Microsoft Word (Windows or macOS); "
                "use unoserver or soffice on Linux."
            )
        self.timeout = timeout

    def convert(self, docx: bytes, *, timeout: float | None = None) -> bytes:
        """The PDF Word makes of ``docx``."""
        limit = self.timeout if timeout is None else timeout
        with tempfile.TemporaryDirectory(prefix="sealbridge-word-") as work:
            source, target = Path(work) / "document.docx", Path(work) / "document.pdf"
            source.write_bytes(docx)
            status, last = run_in_group(
                [sys.executable, "-c", SCRIPT, str(source), str(target)],
                timeout=limit,
                program="Word",
            )
            if status != 0 or not target.is_file():
                raise ConversionError(
                    "Word could not convert the document"
                    + (f": {last}" if last else ".")
                )
            return target.read_bytes()

    def close(self) -> None:
        """Word is started and ended by docx2pdf for every document."""
