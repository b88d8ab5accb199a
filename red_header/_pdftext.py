"""Text lines of a PDF as the layout rules see them (positions in millimetres)."""

from __future__ import annotations

from dataclasses import dataclass

from .standard import MM, SIZE

__all__ = ["Line", "body_of", "is_body", "is_red", "page_lines"]


@dataclass
class Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    red: bool
    cells: float
    """Character cells: full-width characters count 1, half-width ones ½."""

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2


def is_red(colour) -> bool:
    if not colour or len(colour) != 3:
        return False
    r, g, b = colour
    return r > 0.6 and g < 0.35 and b < 0.35


def page_lines(page, index: int) -> list[Line]:
    """The text lines of a pdfplumber page, top to bottom."""
    rows: dict[int, list[dict]] = {}
    for char in sorted(page.chars, key=lambda c: (round(c["top"]), c["x0"])):
        if char["text"].isspace():
            continue
        rows.setdefault(round(char["top"]), []).append(char)
    lines = []
    for chars in rows.values():
        chars.sort(key=lambda c: c["x0"])
        lines.append(
            Line(
                page=index,
                text="".join(c["text"] for c in chars),
                x0=min(c["x0"] for c in chars) / MM,
                x1=max(c["x1"] for c in chars) / MM,
                top=min(c["top"] for c in chars) / MM,
                bottom=max(c["bottom"] for c in chars) / MM,
                size=max(c["size"] for c in chars),
                red=all(is_red(c.get("non_stroking_color")) for c in chars),
                cells=sum(1 if c["width"] > c["size"] * 0.75 else 0.5 for c in chars),
            )
        )
    return sorted(lines, key=lambda line: line.top)


def is_body(line: Line) -> bool:
    """3号 black text: the body, signatures and dates."""
    return abs(line.size - SIZE["三号"]) < 0.6 and not line.red


def body_of(page: list[Line]) -> list[Line]:
    return [line for line in page if is_body(line)]
