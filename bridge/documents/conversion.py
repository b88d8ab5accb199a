"""DOCX → PDF: the converter port and the choice of adapter from configuration.

``CONVERTER`` picks the adapter: ``unoserver`` (default; a warm LibreOffice
pool, or remote unoservers listed in ``CONVERSION_WORKERS``), ``soffice`` (a
cold LibreOffice per document) or ``docx2pdf`` (Microsoft Word, Windows and
macOS only). When unoserver cannot run here the pool falls back to ``soffice``
with a warning rather than refusing to convert.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

from ..errors import ConfigurationError
from .soffice import ColdSofficeConverter
from .unoserver_pool import UnoserverPool, uno_python
from .word import Docx2PdfConverter

__all__ = [
    "BACKENDS",
    "ColdSofficeConverter",
    "Converter",
    "Docx2PdfConverter",
    "UnoserverPool",
    "build_converter",
]

logger = logging.getLogger(__name__)

BACKENDS = ("unoserver", "soffice", "docx2pdf")


class Converter(Protocol):
    """Turns a checked .docx into PDF bytes; thread-safe; ``close`` ends processes."""

    def convert(self, docx: bytes, *, timeout: float | None = None) -> bytes: ...

    def close(self) -> None: ...


def build_converter(config: dict[str, Any]) -> Converter:
    """The converter ``config`` asks for (keys ``CONVERTER`` and ``CONVERSION_*``)."""
    backend = config.get("CONVERTER") or "unoserver"
    timeout = float(config.get("CONVERSION_TIMEOUT_SECONDS") or 30)
    folder = Path(config["HOME"]) / "run" / "conversion" if config.get("HOME") else None
    if backend == "docx2pdf":
        return Docx2PdfConverter(timeout=timeout)
    if backend == "soffice":
        return ColdSofficeConverter(timeout=timeout, folder=folder)
    if backend != "unoserver":
        raise ConfigurationError(
            f"Unknown CONVERTER {backend!r}; use one of {', '.join(BACKENDS)}."
        )
    endpoints = list(config.get("CONVERSION_WORKERS") or [])
    python = None if endpoints else uno_python()
    if not endpoints and python is None:
        logger.warning(
            "unoserver cannot run (no Python imports uno; install python3-uno): "
            "converting with a cold soffice per document"
        )
        return ColdSofficeConverter(timeout=timeout, folder=folder)
    size = config.get("CONVERSION_POOL_SIZE")
    queue_size = config.get("CONVERSION_QUEUE_SIZE")
    return UnoserverPool(
        int(size) if size else None,
        endpoints=endpoints,
        timeout=timeout,
        queue_size=None if queue_size in (None, "") else int(queue_size),
        restart_after=int(config.get("CONVERSION_RESTART_AFTER") or 200),
        folder=folder,
        python=python,
    )
