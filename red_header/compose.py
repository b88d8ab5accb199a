"""Composing an official document: template + metadata (+ the drafter's body)."""

from __future__ import annotations

import io
from pathlib import Path

from jinja2 import TemplateError as JinjaTemplateError

from . import blocks
from .errors import MetadataError, TemplateError
from .metadata import OfficialDocument
from .prepared_template import PreparedDocxTemplate
from .templates import TEMPLATE_FOLDER, find_template

__all__ = ["compose"]


def compose(
    template: str,
    document: OfficialDocument,
    *,
    body_docx: bytes | None = None,
    folder: Path = TEMPLATE_FOLDER,
) -> bytes:
    """Render ``document`` with the template ``template``; return ``.docx`` bytes.

    :param body_docx: the drafter's body document; replaces ``document.body``.
    :raises MetadataError: the template needs a field the document lacks.
    :raises TemplateError: the template or the body document is unusable.
    """
    if document.doc_number is None:
        raise MetadataError({"doc_number": "must be allocated before composing"})
    path, options = find_template(template, folder)
    if options.kind == "上行文" and not document.signers:
        raise MetadataError({"signers": "上行文 needs the 签发人 (signers)"})
    tpl = PreparedDocxTemplate(str(path))
    mark = tpl.new_subdoc()
    blocks.mark_block(mark, document.issuers, options.mark_suffix)
    body = blocks.body_block(tpl, document, body_docx)
    attachments = blocks.attachments_block(tpl, document.attachments)
    if options.sealed:
        # The seal's page must carry text (此页无正文 is not allowed): the last
        # lines before the signature travel with it to a new page.
        blocks.keep_last_with_next(attachments if document.attachments else body)
    context = {
        "copy_number": document.copy_number or "",
        "secrecy": document.secrecy or "",
        "urgency": document.urgency or "",
        "mark": mark,
        "doc_number": document.doc_number,
        "signers_text": "、".join(document.signers),
        "title": document.title,
        "recipients_text": "、".join(document.recipients) + "："
        if document.recipients
        else "",
        "body": body,
        "attachments": attachments,
        "signature": blocks.signature_block(tpl, document) if options.sealed else "",
        "colophon": blocks.colophon_block(tpl, document),
        **document.extra,
    }
    try:
        tpl.render(context)
    except JinjaTemplateError as exc:
        raise TemplateError(
            f"The template {template!r} cannot be rendered: {exc}"
        ) from exc
    output = io.BytesIO()
    tpl.save(output)
    return output.getvalue()
