"""Saving python-docx documents without the ballast of Word's default template.

python-docx starts every document from Word's default template: 164 styles and
their latent twins, a second copy of them (``stylesWithEffects``), a thumbnail
and custom XML. LibreOffice reads all of it on every conversion (a sixth of the
time a five-page loan contract takes) and docxtpl parses it on every render.
What no paragraph, run, table or numbering refers to is dropped here, and the
zip entries carry no clock, so a rebuild is byte for byte the same.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from docx.document import Document
from lxml import etree

__all__ = ["lean_docx"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_BALLAST = (
    "/relationships/stylesWithEffects",
    "/relationships/metadata/thumbnail",
    "/relationships/customXml",
)
"""Relationship types whose parts nothing in a document needs."""
_STYLE_REFERENCE = re.compile(
    rb'<w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"'
)
_STYLE_CHAIN = ("basedOn", "link", "next")
_EPOCH = (1980, 1, 1, 0, 0, 0)


def lean_docx(document: Document) -> bytes:
    """``document`` saved as a ``.docx`` holding only the styles and parts it uses."""
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    for name in _ballast(parts):
        del parts[name]
    parts["[Content_Types].xml"] = _without_overrides(
        parts["[Content_Types].xml"], parts
    )
    parts["word/styles.xml"] = _used_styles_only(parts)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            entry = zipfile.ZipInfo(name, date_time=_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return output.getvalue()


def _ballast(parts: dict[str, bytes]) -> set[str]:
    """Ballast parts, the parts only they refer to, and their relationship files.

    The relationships pointing at them are removed from ``parts`` as a side effect.
    """
    dropped: set[str] = set()
    for rels_name in [name for name in parts if name.endswith(".rels")]:
        rels = etree.fromstring(parts[rels_name])
        source_folder = posixpath.dirname(posixpath.dirname(rels_name))
        for relationship in rels.findall(f"{{{_RELS}}}Relationship"):
            if relationship.get("Type", "").endswith(_BALLAST):
                target = posixpath.normpath(
                    posixpath.join(source_folder, relationship.get("Target"))
                )
                dropped |= _with_dependents(target.lstrip("/"), parts)
                rels.remove(relationship)
        parts[rels_name] = etree.tostring(
            rels, xml_declaration=True, encoding="UTF-8", standalone=True
        )
    return dropped & parts.keys()


def _with_dependents(name: str, parts: dict[str, bytes]) -> set[str]:
    folder, base = posixpath.split(name)
    rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
    found = {name}
    if rels_name in parts:
        found.add(rels_name)
        for relationship in etree.fromstring(parts[rels_name]):
            target = posixpath.normpath(
                posixpath.join(folder, relationship.get("Target"))
            )
            found |= _with_dependents(target.lstrip("/"), parts)
    return found


def _without_overrides(content_types: bytes, parts: dict[str, bytes]) -> bytes:
    types = etree.fromstring(content_types)
    for override in types.findall(f"{{{_TYPES}}}Override"):
        if override.get("PartName", "").lstrip("/") not in parts:
            types.remove(override)
    return etree.tostring(
        types, xml_declaration=True, encoding="UTF-8", standalone=True
    )


def _used_styles_only(parts: dict[str, bytes]) -> bytes:
    """``styles.xml`` keeping the default styles, those used, and their chains."""
    styles = etree.fromstring(parts["word/styles.xml"])
    by_id = {
        style.get(f"{{{_W}}}styleId"): style
        for style in styles.findall(f"{{{_W}}}style")
    }
    wanted = {
        reference.decode()
        for name, data in parts.items()
        if name.startswith("word/") and name != "word/styles.xml"
        for reference in _STYLE_REFERENCE.findall(data)
    }
    wanted |= {
        key
        for key, style in by_id.items()
        if style.get(f"{{{_W}}}default") in ("1", "true", "on")
    }
    pending = list(wanted)
    while pending:
        style = by_id.get(pending.pop())
        for tag in _STYLE_CHAIN if style is not None else ():
            link = style.find(f"{{{_W}}}{tag}")
            if link is not None and link.get(f"{{{_W}}}val") not in wanted:
                wanted.add(link.get(f"{{{_W}}}val"))
                pending.append(link.get(f"{{{_W}}}val"))
    for key, style in by_id.items():
        if key not in wanted:
            styles.remove(style)
    for latent in styles.findall(f"{{{_W}}}latentStyles"):
        styles.remove(latent)
    return etree.tostring(
        styles, xml_declaration=True, encoding="UTF-8", standalone=True
    )
