"""Measuring a produced PDF against GB/T 9704-2012.

Every rule reports what it measured, what the standard expects and whether it
passes; rules that do not apply to the document (no full page, no seal) say so
instead of passing silently. Measurements come from the PDF itself (text
positions, drawn lines, widget annotations), never from the template.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pdfplumber

from ._pdftext import Line, body_of, is_body, is_red, page_lines
from .standard import (
    BODY_CHARS_PER_LINE,
    BODY_LINES_PER_PAGE,
    LINE_PITCH_PT,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    MARK_TOP_BELOW_BLOCK_MM,
    MM,
    PAGE_HEIGHT_MM,
    PAGE_NUMBER_BELOW_BLOCK_MM,
    PAGE_WIDTH_MM,
    SEPARATOR_BELOW_NUMBER_MM,
    SIZE,
    TEXT_BLOCK_WIDTH_MM,
)

__all__ = ["LayoutReport", "RuleResult", "check"]

TOLERANCE_MM = 1.0
_BLOCK_BOTTOM_MM = PAGE_HEIGHT_MM - MARGIN_BOTTOM_MM
_BLOCK_RIGHT_MM = PAGE_WIDTH_MM - MARGIN_RIGHT_MM
_PAGE_NUMBER = re.compile(r"^—\s*(\d+)\s*—$")
_DOC_NUMBER = re.compile(r"〔\d{4}〕\d+号")
_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日$")
_LINE_MM = LINE_PITCH_PT / MM


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool | None
    """None when the rule does not apply to this document."""
    measured: str
    expected: str


@dataclass(frozen=True)
class LayoutReport:
    rules: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        return all(rule.passed is not False for rule in self.rules)

    def failures(self) -> list[RuleResult]:
        return [rule for rule in self.rules if rule.passed is False]

    def to_dict(self) -> dict:
        return {"passed": self.passed, "rules": [asdict(rule) for rule in self.rules]}


def _horizontal_rules(page) -> list[dict]:
    found = []
    for shape in [*page.lines, *page.rects]:
        if (
            abs(shape["bottom"] - shape["top"]) > 2
            or shape["x1"] - shape["x0"] < 50 * MM
        ):
            continue
        colour = shape.get("stroking_color") or shape.get("non_stroking_color")
        found.append(
            {
                "x0": shape["x0"] / MM,
                "x1": shape["x1"] / MM,
                "y": (shape["top"] + shape["bottom"]) / 2 / MM,
                "red": is_red(colour),
            }
        )
    return sorted(found, key=lambda rule: rule["y"])


def _within(value: float, expected: float, tolerance: float = TOLERANCE_MM) -> bool:
    return abs(value - expected) <= tolerance


def _mm(
    rule: str,
    value: float | None,
    expected: float,
    tolerance=TOLERANCE_MM,
    why: str = "",
) -> RuleResult:
    if value is None:
        return RuleResult(rule, None, why or "not applicable", f"{expected:.1f} mm")
    return RuleResult(
        rule,
        _within(value, expected, tolerance),
        f"{value:.1f} mm",
        f"{expected:.1f} ± {tolerance:g} mm",
    )


def _line_box_top(line: Line) -> float:
    """Top of the grid line holding ``line``: glyphs sit centred in a 28.95 pt line."""
    return line.top - (LINE_PITCH_PT - line.size) / 2 / MM


def _line_box_bottom(line: Line) -> float:
    return line.bottom + (LINE_PITCH_PT - line.size) / 2 / MM


def check(pdf: str | Path | bytes) -> LayoutReport:
    """Measure ``pdf`` (a path or the bytes) against GB/T 9704-2012."""
    source = io.BytesIO(pdf) if isinstance(pdf, bytes) else str(pdf)
    with pdfplumber.open(source) as document:
        pages = document.pages
        sizes = [(p.width / MM, p.height / MM) for p in pages]
        lines = [page_lines(page, i) for i, page in enumerate(pages)]
        rules_drawn = [_horizontal_rules(page) for page in pages]
        widgets = [
            [
                (a["x0"] / MM, a["top"] / MM, a["x1"] / MM, a["bottom"] / MM)
                for a in page.annots
                if getattr(a["data"].get("Subtype"), "name", None) == "Widget"
            ]
            for page in pages
        ]
    results = [_page_size(sizes)]
    results += _header_rules(lines[0], rules_drawn[0])
    results += _text_block_rules(lines, rules_drawn)
    results += _page_number_rules(lines)
    results.append(_colophon_rule(lines[-1], rules_drawn[-1]))
    results += _seal_rules(lines, widgets)
    return LayoutReport(tuple(results))


def _page_size(sizes: list[tuple[float, float]]) -> RuleResult:
    worst = max(
        sizes, key=lambda s: abs(s[0] - PAGE_WIDTH_MM) + abs(s[1] - PAGE_HEIGHT_MM)
    )
    ok = _within(worst[0], PAGE_WIDTH_MM) and _within(worst[1], PAGE_HEIGHT_MM)
    return RuleResult(
        "page_size",
        ok,
        f"{worst[0]:.1f} × {worst[1]:.1f} mm",
        "A4 210 × 297 mm on every page",
    )


def _header_rules(first_page: list[Line], drawn: list[dict]) -> list[RuleResult]:
    mark = [line for line in first_page if line.red and line.size >= 18]
    number = next((line for line in first_page if _DOC_NUMBER.search(line.text)), None)
    separator = next((rule for rule in drawn if rule["red"]), None)
    # A joint mark is several lines (the organs, then 文件 beside them): centre
    # the block they make together.
    centre = (
        (min(ln.x0 for ln in mark) + max(ln.x1 for ln in mark)) / 2 if mark else None
    )
    results = [
        _mm(
            "mark_top",
            min(ln.top for ln in mark) if mark else None,
            MARGIN_TOP_MM + MARK_TOP_BELOW_BLOCK_MM,
            why="no red issuer mark found",
        ),
        RuleResult("mark_red", bool(mark), "red" if mark else "no red mark", "red"),
        _mm(
            "mark_centred",
            centre,
            MARGIN_LEFT_MM + TEXT_BLOCK_WIDTH_MM / 2,
            why="no red issuer mark found",
        ),
    ]
    width = separator["x1"] - separator["x0"] if separator else None
    results.append(
        _mm(
            "separator_width",
            width,
            TEXT_BLOCK_WIDTH_MM,
            why="no red separator line found",
        )
    )
    results.append(
        RuleResult(
            "separator_red",
            separator is not None,
            "red" if separator else "missing",
            "red",
        )
    )
    below = separator["y"] - number.bottom if separator and number else None
    results.append(
        _mm(
            "separator_below_number",
            below,
            SEPARATOR_BELOW_NUMBER_MM,
            why="no document number or separator found",
        )
    )
    return results


def _text_block_rules(
    pages: list[list[Line]], drawn: list[list[dict]]
) -> list[RuleResult]:
    body = [line for page in pages for line in page if is_body(line)]
    if not body:
        return [RuleResult("text_block", False, "no 3号 body text", "body text")]
    left = min(line.x0 for line in body)
    full = [line for line in body if line.x1 >= _BLOCK_RIGHT_MM - 1.5]
    right = max((line.x1 for line in full), default=None)
    later = [[line for line in page if is_body(line)] for page in pages[1:]]
    top = min((_line_box_top(p[0]) for p in later if p), default=None)
    results = [
        _mm("margin_left", left, MARGIN_LEFT_MM),
        _mm(
            "margin_right",
            None if right is None else PAGE_WIDTH_MM - right,
            MARGIN_RIGHT_MM,
            why="no full line",
        ),
        _mm("margin_top", top, MARGIN_TOP_MM, why="single-page document"),
    ]
    # A full page is one of text only (no table or figure) that runs down to
    # the block's last line.
    full_pages = [
        p
        for p, rules in zip(pages[1:-1], drawn[1:-1], strict=True)
        if body_of(p)
        and not rules
        and all(is_body(ln) or ln.top > _BLOCK_BOTTOM_MM for ln in p)
        and _line_box_bottom(body_of(p)[-1]) >= _BLOCK_BOTTOM_MM - _LINE_MM / 2
    ]
    if full_pages:
        counts = [sum(is_body(line) for line in page) for page in full_pages]
        bottoms = [
            _line_box_bottom([ln for ln in p if is_body(ln)][-1]) for p in full_pages
        ]
        results.append(
            RuleResult(
                "lines_per_page",
                all(c == BODY_LINES_PER_PAGE for c in counts),
                ", ".join(map(str, counts)),
                f"{BODY_LINES_PER_PAGE} on a full page",
            )
        )
        results.append(
            _mm(
                "margin_bottom",
                max(bottoms, key=lambda b: abs(b - _BLOCK_BOTTOM_MM)),
                _BLOCK_BOTTOM_MM,
            )
        )
    else:
        results.append(
            RuleResult("lines_per_page", None, "no full page", "22 on a full page")
        )
    pitches = [
        b.top - a.top
        for page in pages
        for a, b in zip(body_of(page), body_of(page)[1:], strict=False)
        if b.top - a.top < 1.5 * _LINE_MM
    ]
    worst = max(pitches, key=lambda p: abs(p - _LINE_MM), default=None)
    results.append(
        _mm("line_pitch", worst, _LINE_MM, tolerance=0.2, why="one line only")
    )
    cjk_lines = [
        line
        for line in full
        if line.x0 <= MARGIN_LEFT_MM + 1 and line.cells == len(line.text)
    ]
    counts = sorted({len(line.text) for line in cjk_lines})
    results.append(
        RuleResult(
            "chars_per_line",
            None if not counts else counts == [BODY_CHARS_PER_LINE],
            ", ".join(map(str, counts)) or "no full line of Chinese text",
            f"{BODY_CHARS_PER_LINE} on a full line",
        )
    )
    return results


def _page_number_rules(pages: list[list[Line]]) -> list[RuleResult]:
    problems = []
    worst_gap = None
    for index, page in enumerate(pages, start=1):
        number = next((ln for ln in page if _PAGE_NUMBER.match(ln.text)), None)
        if number is None:
            problems.append(f"page {index}: none")
            continue
        if int(_PAGE_NUMBER.match(number.text).group(1)) != index:
            problems.append(f"page {index}: reads {number.text}")
        gap = number.top - _BLOCK_BOTTOM_MM
        if worst_gap is None or abs(gap - PAGE_NUMBER_BELOW_BLOCK_MM) > abs(
            worst_gap - PAGE_NUMBER_BELOW_BLOCK_MM
        ):
            worst_gap = gap
        one_char = SIZE["四号"] / MM
        if index % 2:
            side_ok = _within(_BLOCK_RIGHT_MM - number.x1, one_char)
        else:
            side_ok = _within(number.x0 - MARGIN_LEFT_MM, one_char)
        if not side_ok:
            problems.append(f"page {index}: not on the outer side 空一字")
    return [
        RuleResult(
            "page_numbers",
            not problems,
            "; ".join(problems) or "— n — on every page",
            "— n —, odd pages right, even pages left, 空一字",
        ),
        _mm(
            "page_number_below_block",
            worst_gap,
            PAGE_NUMBER_BELOW_BLOCK_MM,
            why="no page numbers",
        ),
    ]


def _colophon_rule(last_page: list[Line], drawn: list[dict]) -> RuleResult:
    black = [rule for rule in drawn if not rule["red"]]
    if not black or not any("印发" in line.text for line in last_page):
        return RuleResult(
            "colophon", False, "no 版记 on the last page", "版记 on the last page"
        )
    bottom = black[-1]["y"]
    ok = _within(bottom, _BLOCK_BOTTOM_MM) and _within(
        black[-1]["x1"] - black[-1]["x0"], TEXT_BLOCK_WIDTH_MM
    )
    return RuleResult(
        "colophon",
        ok,
        f"last line at {bottom:.1f} mm",
        f"last 版记 line on the text block's bottom edge ({_BLOCK_BOTTOM_MM:.0f} mm)",
    )


def _seal_rules(
    pages: list[list[Line]], widgets: list[list[tuple]]
) -> Iterable[RuleResult]:
    """§7.3.5.1: seals centred on signature and date, both below the seal's centre,
    the seal's top within one line of the last body line."""
    for index in range(len(pages) - 1, -1, -1):
        dates = [ln for ln in pages[index] if is_body(ln) and _DATE.search(ln.text)]
        if dates:
            break
    else:
        return [RuleResult("seal_position", None, "no 成文日期 found", "§7.3.5.1")]
    date = dates[-1]
    seals = sorted(
        (w for w in widgets[index] if w[1] < date.bottom + 10 and w[3] > date.top - 60),
        key=lambda w: w[0],
    )
    if not seals:
        return [RuleResult("seal_position", None, "not sealed", "§7.3.5.1")]
    body = body_of(pages[index])
    signature = next((ln for ln in reversed(body) if ln.top < date.top), None)
    above = [ln for ln in body if ln.bottom < (signature or date).top - 1]
    last_text = above[-1] if above else None
    problems = []
    last_seal = seals[-1]
    centre_x = (last_seal[0] + last_seal[2]) / 2
    centre_y = (last_seal[1] + last_seal[3]) / 2
    if not _within(centre_x, date.centre_x, 3.0):
        problems.append(
            f"last seal centre {centre_x:.1f} mm vs date centre {date.centre_x:.1f} mm"
        )
    if signature is not None and signature.top < centre_y - 2:
        problems.append("signature above the seal's centre")
    if date.top < centre_y:
        problems.append("date above the seal's centre")
    if last_text is not None:
        gap = last_seal[1] - _line_box_bottom(last_text)
        if gap > _LINE_MM or gap < -_LINE_MM / 2:
            problems.append(f"seal top {gap:.1f} mm from the last text line")
    for left, right in zip(seals, seals[1:], strict=False):
        if left[2] > right[0]:
            problems.append("seals overlap")
    if seals[0][0] < MARGIN_LEFT_MM - 0.5 or seals[-1][2] > _BLOCK_RIGHT_MM + 0.5:
        problems.append("seals leave the text block")
    measured = "; ".join(problems) or (
        f"{len(seals)} seal(s); centre {centre_x:.1f} mm, "
        f"date centre {date.centre_x:.1f} mm"
    )
    return [
        RuleResult(
            "seal_position",
            not problems,
            measured,
            "centred on signature and date, both below its centre, "
            "top within one line of the text",
        )
    ]
