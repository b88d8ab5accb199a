"""Test documents and independent checks (poppler, NSS, pdfplumber)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"


def chinese_pdf(
    pages: int = 3, *, keyword: str = "甲方（盖章）", encrypt: str | None = None
) -> bytes:
    """An A4 contract-like document in Chinese with ``keyword`` on the last page."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    for page in range(1, pages + 1):
        document.setFont(FONT, 12)
        for line in range(30):
            document.drawString(
                72,
                770 - line * 22,
                f"第{page}页 第{line + 1}行 借款合同条款：借款人应按期足额还款。",
            )
        if page == pages:
            document.drawString(300, 100, keyword)
        document.showPage()
    document.save()
    return buffer.getvalue()


def pdfsig(path: Path, nss_dir: Path | None = None) -> list[dict[str, str]]:
    """Poppler's view of every signature: field, validation and certificate lines."""
    command = ["pdfsig"]
    if nss_dir is not None:
        command += ["-nssdir", f"sql:{nss_dir}"]
    output = subprocess.run(
        [*command, str(path)], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    signatures = []
    for block in re.split(r"^Signature #\d+:$", output, flags=re.M)[1:]:
        fields = dict(re.findall(r"^  - ([^:\n]+): (.*)$", block, flags=re.M))
        signatures.append(fields)
    return signatures


def trusting_nss_db(folder: Path, root_pem: str) -> Path:
    """An NSS database in which the embedded root is a trusted CA (for pdfsig)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "root.pem").write_text(root_pem)
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True
    )
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{folder}",
            "-n",
            "sealbridge-root",
            "-t",
            "C,C,C",
            "-i",
            str(folder / "root.pem"),
        ],
        check=True,
    )
    return folder


def red_fraction(png: Path, box: tuple[int, int, int, int]) -> float:
    """Share of clearly red pixels in ``box`` (left, top, right, bottom) of a PNG."""
    from PIL import Image

    with Image.open(png) as image:
        region = image.convert("RGB").crop(box)
        data = region.tobytes()
    pixels = [data[i : i + 3] for i in range(0, len(data), 3)]
    red = sum(1 for r, g, b in pixels if r > 150 and g < 110 and b < 110)
    return red / max(1, len(pixels))


def widgets(page) -> list[dict]:
    """The widget annotations of a pdfplumber page (top-left coordinates)."""
    return [a for a in page.annots if a["data"].get("Subtype").name == "Widget"]
