"""One cold ``soffice --headless --convert-to pdf`` per document.

The fallback when unoserver cannot run (no python3-uno) and the benchmark's
baseline. Each call gets its own LibreOffice profile, because concurrent runs
sharing one fail intermittently and silently, and its own process group,
killed whole on timeout; exit status 0 without a PDF counts as a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

from ..errors import ConversionError, ConverterUnavailableError
from .fonts import fontconfig_xml, write_fontconfig
from .processes import run_in_group

__all__ = ["ColdSofficeConverter"]


class ColdSofficeConverter:
    """A fresh LibreOffice for every document: slow to start, nothing to supervise.

    :param timeout: seconds per conversion before the process group is killed.
    :param folder: parent of the per-call work folders (default: the system's).
    :param fontconfig: ``fonts.conf`` content instead of the generated aliases.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        folder: Path | None = None,
        fontconfig: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.folder = folder
        self._fontconfig = fontconfig
        self._lock = threading.Lock()

    def convert(self, docx: bytes, *, timeout: float | None = None) -> bytes:
        """The PDF of ``docx``, or a :class:`ConversionError`."""
        limit = self.timeout if timeout is None else timeout
        executable = shutil.which("soffice")
        if executable is None:
            raise ConverterUnavailableError("LibreOffice (soffice) is not installed.")
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(
            prefix="sealbridge-soffice-", dir=self.folder
        ) as work:
            source = Path(work) / "document.docx"
            source.write_bytes(docx)
            fonts_conf = write_fontconfig(Path(work), self._fontconfig_xml())
            status, last = run_in_group(
                [
                    executable,
                    "--headless",
                    "--norestore",
                    "--nologo",
                    f"-env:UserInstallation={(Path(work) / 'profile').as_uri()}",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    work,
                    str(source),
                ],
                timeout=limit,
                program="LibreOffice",
                env={**os.environ, "FONTCONFIG_FILE": str(fonts_conf)},
            )
            target = Path(work) / "document.pdf"
            if status != 0 or not target.is_file():
                raise ConversionError(
                    f"soffice exited with status {status} without a PDF"
                    + (f": {last}" if last else ".")
                )
            return target.read_bytes()

    def close(self) -> None:
        """Nothing stays running between conversions."""

    def _fontconfig_xml(self) -> str:
        with self._lock:
            if self._fontconfig is None:
                self._fontconfig = fontconfig_xml()
            return self._fontconfig
