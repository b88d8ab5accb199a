"""Pages of a PDF as JPEG images for phones (poppler's pdftoppm), cached on disk.

Signers read the document as images: no PDF viewer needed in WeChat's
in-app browser, and the bridge decides what is shown.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ..errors import InvalidPdfError, PageOutOfRangeError

__all__ = ["PageImages"]

_DPI = 110
_TIMEOUT = 60


class PageImages:
    """Rendered pages under ``folder/<sha256>/<page>.jpg``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def page_count(self, pdf: bytes, sha256: str) -> int:
        marker = self.folder / sha256 / "pages"
        if marker.exists():
            return int(marker.read_text())
        try:
            info = subprocess.run(
                ["pdfinfo", "-"],
                input=pdf,
                capture_output=True,
                timeout=_TIMEOUT,
                check=True,
            ).stdout.decode("utf-8", "replace")
        except (OSError, subprocess.SubprocessError) as exc:
            raise InvalidPdfError(f"The document cannot be read: {exc}") from exc
        found = re.search(r"^Pages:\s+(\d+)", info, flags=re.M)
        if not found:
            raise InvalidPdfError("The document has no pages.")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(found.group(1))
        return int(found.group(1))

    def page(self, pdf: bytes, sha256: str, number: int) -> bytes:
        """JPEG of page ``number`` (1-based)."""
        if not 1 <= number <= self.page_count(pdf, sha256):
            raise PageOutOfRangeError(f"There is no page {number}.")
        target = self.folder / sha256 / f"{number}.jpg"
        if not target.exists():
            stem = target.with_suffix(".part")
            try:
                subprocess.run(
                    [
                        "pdftoppm",
                        "-jpeg",
                        "-jpegopt",
                        "quality=80",
                        "-r",
                        str(_DPI),
                        "-f",
                        str(number),
                        "-l",
                        str(number),
                        "-singlefile",
                        "-",
                        str(stem),
                    ],
                    input=pdf,
                    capture_output=True,
                    timeout=_TIMEOUT,
                    check=True,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                raise InvalidPdfError(
                    f"Page {number} cannot be rendered: {exc}"
                ) from exc
            stem.with_suffix(".part.jpg").replace(target)
        return target.read_bytes()
