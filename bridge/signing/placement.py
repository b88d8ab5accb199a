"""Where a seal lands: page coordinates, keywords, or a riding seal across pages.

Placements are resolved against the document into widget rectangles (PDF
points, bottom-left origin). A keyword that is not in the document or a page
that does not exist is an error, never a silently misplaced seal.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import (
    InvalidPdfError,
    KeywordNotFoundError,
    PageOutOfRangeError,
    PlacementError,
)

__all__ = [
    "KeywordPlacement",
    "PdfText",
    "PagePlacement",
    "Placement",
    "RidingPlacement",
    "Widget",
    "resolve",
]

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PagePlacement:
    """The seal's centre at ``(x, y)`` points on ``page`` (1-based, -1 = last)."""

    page: int
    x: float
    y: float


@dataclass(frozen=True)
class KeywordPlacement:
    """The seal centred on a keyword's occurrences, shifted by ``offset`` points."""

    keyword: str
    index: Literal["first", "last", "all"] = "first"
    offset: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class RidingPlacement:
    """骑缝章: one vertical slice of the seal on the right edge of every page.

    ``y`` is the height of the seal's centre; ``None`` centres it on the page.
    """

    y: float | None = None


Placement = PagePlacement | KeywordPlacement | RidingPlacement


@dataclass(frozen=True)
class Widget:
    """One visible piece of a seal: a rectangle on a page (0-based index).

    ``part`` is ``(i, n)`` for slice ``i`` of ``n`` of a riding seal.
    """

    page_index: int
    rect: Box
    part: tuple[int, int] | None = None


def _centred(page_index: int, x: float, y: float, size: tuple[float, float]) -> Widget:
    width, height = size
    return Widget(
        page_index, (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
    )


def _page_index(page: int, page_count: int) -> int:
    index = page_count - 1 if page == -1 else page - 1
    if page == 0 or not 0 <= index < page_count:
        raise PageOutOfRangeError(
            f"Page {page} is out of range: the document has {page_count} pages."
        )
    return index


# PDFium is not thread-safe: one search at a time per process.
_PDFIUM = threading.Lock()


class PdfText:
    """A document opened once for several keyword searches.

    Searched with PDFium (pypdfium2), a tenth of the time pdfminer takes to
    lay out the same page.
    """

    def __init__(self, pdf: bytes) -> None:
        with _PDFIUM:
            try:
                self._document = pdfium.PdfDocument(pdf)
            except pdfium.PdfiumError as exc:
                raise InvalidPdfError(f"The PDF cannot be read: {exc}") from exc

    def __enter__(self) -> PdfText:
        return self

    def __exit__(self, *exc_info) -> None:
        with _PDFIUM:
            self._document.close()

    def boxes(
        self,
        keyword: str,
        *,
        pages: Iterable[int] | None = None,
        first_page_only: bool = False,
    ) -> list[tuple[int, Box]]:
        """Occurrences of ``keyword`` as (page index, box in PDF points).

        :param pages: the pages to search, in this order (default: all).
        :param first_page_only: stop at the first page that has any, so the
            first (or, searching backwards, the last) occurrence costs one
            page, not the whole document.
        """
        found: list[tuple[int, Box]] = []
        with _PDFIUM:
            order = range(len(self._document)) if pages is None else pages
            for index in order:
                found.extend((index, box) for box in self._page_boxes(index, keyword))
                if found and first_page_only:
                    break
        return found

    def contains(self, keyword: str) -> bool:
        """Whether ``keyword`` is anywhere, looking from the last page back
        (where signature keywords usually are)."""
        with _PDFIUM:
            pages = range(len(self._document) - 1, -1, -1)
        return bool(self.boxes(keyword, pages=pages, first_page_only=True))

    def _page_boxes(self, index: int, keyword: str) -> list[Box]:
        page = self._document[index]
        text = page.get_textpage()
        searcher = text.search(keyword, match_case=True)
        boxes = []
        try:
            while (hit := searcher.get_next()) is not None:
                start, count = hit
                chars = range(start, start + count)
                loose = [text.get_charbox(i, loose=True) for i in chars]
                size = max(pdfium_c.FPDFText_GetFontSize(text.raw, i) for i in chars)
                bottom = min(box[1] for box in loose)
                # The em square from the descent line up: one font size tall,
                # as pdfminer and readers' selections box a glyph.
                boxes.append(
                    (
                        min(box[0] for box in loose),
                        bottom,
                        max(box[2] for box in loose),
                        bottom + size,
                    )
                )
        finally:
            searcher.close()
            text.close()
            page.close()
        return boxes


def _keyword_centres(
    text: PdfText, keyword: str, index: str, page_count: int
) -> list[tuple[int, float, float]]:
    """The chosen occurrences of ``keyword`` as (page index, x, y) of their centre."""
    if index == "all":
        boxes = text.boxes(keyword)
    elif index == "first":
        boxes = text.boxes(keyword, first_page_only=True)[:1]
    else:  # last: the last occurrence on the last page that has one
        pages = range(page_count - 1, -1, -1)
        boxes = text.boxes(keyword, pages=pages, first_page_only=True)[-1:]
    return [(page, (x1 + x2) / 2, (y1 + y2) / 2) for page, (x1, y1, x2, y2) in boxes]


def resolve(
    placement: Placement,
    *,
    pdf: bytes | PdfText,
    page_boxes: list[Box],
    size: tuple[float, float],
) -> list[Widget]:
    """The widgets that show a seal of ``size`` (points) placed by ``placement``.

    :param pdf: the document, searched for keywords (opened already, or not).
    :param page_boxes: each page's visible box (crop box) in points.
    """
    page_count = len(page_boxes)
    if isinstance(placement, PagePlacement):
        index = _page_index(placement.page, page_count)
        return [_centred(index, placement.x, placement.y, size)]
    if isinstance(placement, KeywordPlacement):
        if not placement.keyword.strip():
            raise PlacementError("The keyword is empty.")
        if isinstance(pdf, PdfText):
            chosen = _keyword_centres(
                pdf, placement.keyword, placement.index, page_count
            )
        else:
            with PdfText(pdf) as text:
                chosen = _keyword_centres(
                    text, placement.keyword, placement.index, page_count
                )
        if not chosen:
            raise KeywordNotFoundError(
                f"The keyword {placement.keyword!r} does not occur in the document."
            )
        dx, dy = placement.offset
        return [_centred(page, x + dx, y + dy, size) for page, x, y in chosen]
    return _riding(placement, page_boxes, size)


def _riding(
    placement: RidingPlacement, page_boxes: list[Box], size: tuple[float, float]
) -> list[Widget]:
    count = len(page_boxes)
    if count < 2:
        raise PlacementError("A riding seal needs a document of at least two pages.")
    width, height = size
    slice_width = width / count
    widgets = []
    for index, (_, y0, x1, y1) in enumerate(page_boxes):
        centre_y = (y0 + y1) / 2 if placement.y is None else placement.y
        rect = (x1 - slice_width, centre_y - height / 2, x1, centre_y + height / 2)
        widgets.append(Widget(index, rect, part=(index, count)))
    return widgets
