"""Screening untrusted .docx uploads before LibreOffice ever opens them.

LibreOffice is a large parser: it gets only plain, unencrypted, macro-free
OOXML packages of sane size. Everything else is a one-line 4xx here.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from ..errors import EncryptedDocxError, FileTooLargeError, InvalidDocxError

__all__ = ["MAX_DOCX_BYTES", "check_docx"]

MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1000 * 1000
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024
"""Members smaller than this may compress better than ``MAX_RATIO`` (XML does)."""

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCODINGS = ("ascii", "utf-16-le", "utf-16-be")
DOCTYPE_FORMS = tuple("<!doctype".encode(encoding) for encoding in _ENCODINGS)
"""Word never writes a DTD into its XML parts; one can only declare entities."""
ENTITY_FORMS = tuple("<!entity".encode(encoding) for encoding in _ENCODINGS)
"""Entity declarations are refused in any part (an SVG image's too)."""
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
CHUNK = 64 * 1024


def check_docx(
    data: bytes,
    max_bytes: int = MAX_DOCX_BYTES,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
    max_ratio: int = MAX_RATIO,
) -> None:
    """Raise a one-line 4xx :class:`~bridge.errors.BridgeError` unless safe."""
    if len(data) > max_bytes:
        raise FileTooLargeError(
            f"The document is {len(data)} bytes; the limit is {max_bytes} bytes."
        )
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise EncryptedDocxError(
                "The document is password-protected; remove its password first."
            )
        raise InvalidDocxError(
            "The file is a legacy .doc or an encrypted document, not a .docx.",
            code="legacy_doc",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            _check_members(package, max_uncompressed, max_ratio)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,  # a damaged deflate stream
        EOFError,
        ValueError,
    ) as exc:
        raise InvalidDocxError(f"The file is not a readable .docx: {exc}.") from exc
    except NotImplementedError as exc:  # an unsupported compression method
        raise InvalidDocxError(f"The .docx cannot be unpacked: {exc}.") from exc


def _check_members(package: zipfile.ZipFile, max_total: int, max_ratio: int) -> None:
    members = package.infolist()
    names = {member.filename for member in members}
    for member in members:
        if _unsafe(member.filename):
            raise InvalidDocxError(
                f"The .docx has an unsafe member name {member.filename!r}."
            )
    if "word/document.xml" not in names:
        raise InvalidDocxError("The file is a zip archive but not a Word document.")
    content_types = (
        package.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    )
    if any(n.lower().endswith("vbaproject.bin") for n in names) or (
        b"macroenabled" in content_types.lower()
    ):
        raise InvalidDocxError(
            "The document contains macros; save it as a plain .docx.",
            code="macros_not_allowed",
        )
    total = 0
    for member in members:
        size = 0
        tail = b""
        with package.open(member) as stream:  # real sizes: headers can lie
            while chunk := stream.read(CHUNK):
                _refuse_declarations(member.filename, tail + chunk)
                tail = chunk[-32:]
                size += len(chunk)
                total += len(chunk)
                if total > max_total:
                    raise _bomb(f"unpacks to more than {max_total} bytes")
                if size > RATIO_FLOOR_BYTES and size > max_ratio * max(
                    member.compress_size, 1
                ):
                    raise _bomb(
                        f"member {member.filename!r} is compressed more than "
                        f"{max_ratio}:1"
                    )


def _refuse_declarations(name: str, data: bytes) -> None:
    """XXE and entity bombs for LibreOffice's parser: refused here instead."""
    data = data.lower()
    forms = ENTITY_FORMS
    if name.lower().endswith((".xml", ".rels")):
        forms += DOCTYPE_FORMS
    if any(form in data for form in forms):
        raise InvalidDocxError(
            f"The .docx part {name!r} declares a document type or entities; "
            "Word never writes them.",
            code="dtd_forbidden",
        )


def _bomb(detail: str) -> InvalidDocxError:
    return InvalidDocxError(
        f"The .docx looks like a zip bomb: {detail}.", code="zip_bomb"
    )


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]
