"""Opening untrusted PDFs: size limit, header check, structural errors as 4xx."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from ..errors import BridgeError, EncryptedPdfError, FileTooLargeError, InvalidPdfError

__all__ = ["check_pdf_bytes", "open_for_reading", "open_for_update", "pdf_errors"]


def check_pdf_bytes(data: bytes, max_bytes: int) -> None:
    """Reject what is obviously not an acceptable PDF before parsing it."""
    if len(data) > max_bytes:
        raise FileTooLargeError(
            f"The PDF is {len(data)} bytes; the limit is {max_bytes} bytes."
        )
    if b"%PDF-" not in data[:1024]:
        raise InvalidPdfError("The file is not a PDF (no %PDF- header).")


@contextmanager
def pdf_errors() -> Iterator[None]:
    """Report whatever a damaged PDF makes the parser raise as invalid input."""
    try:
        yield
    except BridgeError:
        raise
    except (
        PdfError,
        PdfminerException,  # pdfplumber's wrapper of whatever pdfminer raised
        MalformedPDFException,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        AttributeError,
        AssertionError,
        RecursionError,
        ArithmeticError,  # overflow, and decimal's on numbers like 1.2.3
        EOFError,
        OSError,
    ) as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InvalidPdfError(f"The PDF is damaged or truncated: {detail}") from exc


def _refuse_encrypted(reader: PdfFileReader) -> None:
    if reader.encrypted:
        raise EncryptedPdfError(
            "The PDF is encrypted; remove its password before sealing or verifying it."
        )


def open_for_reading(data: bytes, max_bytes: int) -> PdfFileReader:
    """A reader over an untrusted PDF, or a clear 4xx error."""
    check_pdf_bytes(data, max_bytes)
    with pdf_errors():
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        _refuse_encrypted(reader)
        reader.root["/Pages"]  # a PDF without a page tree is no document
        return reader


def open_for_update(data: bytes, max_bytes: int) -> IncrementalPdfFileWriter:
    """An incremental writer over an untrusted PDF, or a clear 4xx error."""
    check_pdf_bytes(data, max_bytes)
    with pdf_errors():
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        _refuse_encrypted(writer.prev)
        writer.root["/Pages"]
        return writer
