"""Free substitutes for the licensed Chinese fonts Word documents ask for.

Official documents name 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312 and 宋体.
Without help LibreOffice falls back to whatever fontconfig offers for Chinese
(on Debian: WenQuanYi Zen Hei, a sans 黑体, even for body text in 仿宋). A
``fonts.conf`` that includes the system configuration and adds strong aliases
makes every LibreOffice process use the substitutes below instead.

There is no true 仿宋 for simplified Chinese in Debian 12's font packages:
``fonts-cwtex-fs`` (cwTeX 仿宋體) covers traditional characters only (1203 of
the 3755 level-1 GB 2312 characters are missing, among them 发 and 号), and
FandolFang (all 6763 GB 2312 characters) ships only inside TeX Live
(``texlive-lang-chinese``), in a folder fontconfig does not scan. 仿宋
therefore maps to FandolFang when fontconfig can see it (copy
``FandolFang-Regular.otf`` to ``/usr/local/share/fonts``) and otherwise to
Noto Serif CJK SC, the closest serif with complete coverage. A family that is
really installed (a licensed 方正 or Windows font) is never aliased away.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = [
    "FONT_ALIASES",
    "FontAlias",
    "fontconfig_xml",
    "installed_families",
    "resolve_aliases",
    "write_fontconfig",
]


@dataclass(frozen=True)
class FontAlias:
    """Family names documents use for one role, and free substitutes by preference."""

    role: str
    names: tuple[str, ...]
    substitutes: tuple[str, ...]


FONT_ALIASES: tuple[FontAlias, ...] = (
    FontAlias(
        "fangsong",
        ("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "方正仿宋_GBK"),
        ("FandolFang", "Noto Serif CJK SC"),
    ),
    FontAlias(
        "xiaobiaosong",
        ("方正小标宋简体", "方正小标宋_GBK", "小标宋", "FZXiaoBiaoSong-B05S"),
        # 小标宋 is a heavy display Song; Black is the closest free weight.
        ("Noto Serif CJK SC Black", "Noto Serif CJK SC"),
    ),
    FontAlias(
        "songti",
        ("宋体", "SimSun", "新宋体", "NSimSun"),
        ("Noto Serif CJK SC", "AR PL UMing CN"),
    ),
    FontAlias(
        "heiti",
        ("黑体", "SimHei"),
        ("Noto Sans CJK SC", "WenQuanYi Zen Hei"),
    ),
    FontAlias(
        "kaiti",
        ("楷体_GB2312", "楷体", "KaiTi", "KaiTi_GB2312"),
        ("AR PL UKai CN", "FandolKai", "LXGW WenKai"),
    ),
)
"""The one table of Chinese font aliases; red-header composition uses its names."""


def installed_families() -> frozenset[str]:
    """Every family name (including localized and style-named ones) fontconfig knows."""
    listing = subprocess.run(
        ["fc-list", ":", "family"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout
    return frozenset(
        name.strip() for line in listing.splitlines() for name in line.split(",")
    )


def resolve_aliases(installed: frozenset[str]) -> dict[str, str]:
    """Licensed family name → the installed substitute it will be rendered with."""
    chosen: dict[str, str] = {}
    for alias in FONT_ALIASES:
        substitute = next((f for f in alias.substitutes if f in installed), None)
        if substitute is None:
            continue
        for name in alias.names:
            if name not in installed:
                chosen[name] = substitute
    return chosen


def fontconfig_xml(installed: frozenset[str] | None = None) -> str:
    """A ``fonts.conf``: the system configuration plus the strong aliases."""
    aliases = resolve_aliases(installed_families() if installed is None else installed)
    rules = "".join(
        f'  <alias binding="strong"><family>{escape(name)}</family>'
        f"<prefer><family>{escape(substitute)}</family></prefer></alias>\n"
        for name, substitute in aliases.items()
    )
    return (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"{rules}</fontconfig>\n"
    )


def write_fontconfig(folder: Path, xml: str | None = None) -> Path:
    """Write ``folder/fonts.conf`` (default content: :func:`fontconfig_xml`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fonts.conf"
    path.write_text(fontconfig_xml() if xml is None else xml, encoding="utf-8")
    return path
