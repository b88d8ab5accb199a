"""Red-header templates: where they are and what each one is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docx import Document

from .errors import TemplateError

__all__ = ["TEMPLATE_FOLDER", "TemplateOptions", "find_template", "list_templates"]

TEMPLATE_FOLDER = Path(__file__).resolve().parents[1] / "templates" / "red_header"


@dataclass(frozen=True)
class TemplateOptions:
    """What a template is, kept in the ``.docx`` keywords (editable in Word).

    Example keywords: ``mark_suffix=文件; sealed=yes; kind=上行文``.
    """

    mark_suffix: str
    """Words after the organ's name in the mark: 文件, 纪要, or none for 函."""
    sealed: bool = True
    kind: str = "下行文"

    def to_keywords(self) -> str:
        sealed = "yes" if self.sealed else "no"
        return f"mark_suffix={self.mark_suffix}; sealed={sealed}; kind={self.kind}"

    @classmethod
    def from_keywords(cls, keywords: str) -> TemplateOptions:
        pairs = dict(
            part.split("=", 1) for part in (keywords or "").split(";") if "=" in part
        )
        pairs = {k.strip(): v.strip() for k, v in pairs.items()}
        return cls(
            mark_suffix=pairs.get("mark_suffix", "文件"),
            sealed=pairs.get("sealed", "yes") != "no",
            kind=pairs.get("kind", "下行文"),
        )


def list_templates(folder: Path = TEMPLATE_FOLDER) -> list[str]:
    """Template names: the ``.docx`` files' names without the extension."""
    return sorted(
        path.stem for path in folder.glob("*.docx") if not path.name.startswith("~$")
    )


def find_template(
    name: str, folder: Path = TEMPLATE_FOLDER
) -> tuple[Path, TemplateOptions]:
    """The template file called ``name`` and its options."""
    path = folder / f"{name}.docx"
    if "/" in name or "\\" in name or not path.is_file():
        known = "、".join(list_templates(folder)) or "none"
        raise TemplateError(
            f"There is no red-header template {name!r} (known: {known})."
        )
    options = TemplateOptions.from_keywords(
        Document(str(path)).core_properties.keywords
    )
    return path, options
