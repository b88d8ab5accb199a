"""The numbers of GB/T 9704-2012 (党政机关公文格式) that layout and checks share."""

from __future__ import annotations

__all__ = [
    "BODY_CHARS_PER_LINE",
    "BODY_LINES_PER_PAGE",
    "CHAR_PITCH_PT",
    "LINE_PITCH_PT",
    "MARGIN_BOTTOM_MM",
    "MARGIN_LEFT_MM",
    "MARGIN_RIGHT_MM",
    "MARGIN_TOP_MM",
    "MARK_TOP_BELOW_BLOCK_MM",
    "MM",
    "PAGE_HEIGHT_MM",
    "PAGE_NUMBER_BELOW_BLOCK_MM",
    "PAGE_WIDTH_MM",
    "SEPARATOR_BELOW_NUMBER_MM",
    "SIZE",
    "TEXT_BLOCK_HEIGHT_MM",
    "TEXT_BLOCK_WIDTH_MM",
    "FONT",
]

MM = 72 / 25.4
"""Points per millimetre."""

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210.0, 297.0
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 37.0, 35.0
MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 28.0, 26.0
TEXT_BLOCK_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TEXT_BLOCK_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225

BODY_LINES_PER_PAGE = 22
BODY_CHARS_PER_LINE = 28
LINE_PITCH_PT = 28.95
"""225 mm / 22 lines, rounded down to what Word's twips grid holds (579 twips)."""
CHAR_PITCH_PT = 15.75
"""16 pt characters set 0.25 pt tighter: 28 of them fill the 156 mm (442.2 pt) line."""

MARK_TOP_BELOW_BLOCK_MM = 35.0
"""发文机关标志: its top edge 35 mm below the top of the text block (§7.2.4)."""
SEPARATOR_BELOW_NUMBER_MM = 4.0
"""The red separator line 4 mm below the document number (§7.2.7)."""
PAGE_NUMBER_BELOW_BLOCK_MM = 7.0
"""Page number dashes 7 mm below the bottom edge of the text block (§7.5)."""

SIZE = {"初号": 42, "小初": 36, "一号": 26, "二号": 22, "三号": 16, "四号": 14}
"""Chinese type sizes in points."""

FONT = {
    "fangsong": "仿宋_GB2312",
    "xiaobiaosong": "方正小标宋简体",
    "heiti": "黑体",
    "kaiti": "楷体_GB2312",
    "songti": "宋体",
}
"""The font names the standard's documents use; fontconfig maps them on Linux."""
