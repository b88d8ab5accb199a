"""The metadata of an official document, checked field by field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .errors import MetadataError

__all__ = ["OfficialDocument", "chinese_date", "format_doc_number", "parse_metadata"]

_DOC_NUMBER = re.compile(r"^(?P<organ>\S+?)〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号$")


def chinese_date(day: date) -> str:
    """``2026年11月29日``: full year, no leading zeros (§7.3.5.1, §7.4.3)."""
    return f"{day.year}年{day.month}月{day.day}日"


def format_doc_number(organ_code: str, year: int, serial: int) -> str:
    """``重汽发〔2026〕15号``: 六角括号, no 第, no leading zeros (§7.2.5)."""
    return f"{organ_code}〔{year}〕{serial}号"


@dataclass(frozen=True)
class OfficialDocument:
    """Everything the 版头, 主体 and 版记 of one document carry."""

    issuers: tuple[str, ...]
    organ_code: str
    title: str
    recipients: tuple[str, ...]
    body: str
    signature: tuple[str, ...]
    """发文机关署名, one per issuer; the issuers' names by default."""
    date: date
    printer: str
    print_date: date
    doc_number: str | None = None
    """None until a number is allocated for ``organ_code``."""
    attachments: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()
    """签发人, required by 上行文 templates."""
    copy_number: str | None = None
    secrecy: str | None = None
    urgency: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def with_number(self, doc_number: str) -> OfficialDocument:
        return replace(self, doc_number=doc_number)


def _text(data: dict, key: str, problems: dict, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems[key] = "is required"
        return None
    if not isinstance(value, str):
        problems[key] = "must be text"
        return None
    return value.strip()


def _texts(data: dict, key: str, problems: dict, *, required: bool) -> tuple[str, ...]:
    value = data.get(key)
    if value is None or value == [] or value == "":
        if required:
            problems[key] = "needs at least one entry"
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        problems[key] = "must be a list of non-empty texts"
        return ()
    return tuple(v.strip() for v in value)


def _date(data: dict, key: str, problems: dict) -> date | None:
    value = data.get(key)
    if value is None:
        problems[key] = "is required (YYYY-MM-DD)"
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems[key] = f"must be a date like 2026-11-29, not {value!r}"
        return None


def parse_metadata(data: Any, *, body_given: bool = False) -> OfficialDocument:
    """Check ``data`` (parsed JSON) and build the document.

    :param body_given: a body ``.docx`` replaces the ``body`` text, which may
        then be absent.
    :raises MetadataError: one message per field that is missing or wrong.
    """
    if not isinstance(data, dict):
        raise MetadataError({"document": "must be a JSON object"})
    problems: dict[str, str] = {}
    issuers = _texts(data, "issuers", problems, required=True)
    organ_code = _text(data, "organ_code", problems)
    title = _text(data, "title", problems)
    recipients = _texts(data, "recipients", problems, required=False)
    body = _text(data, "body", problems, required=not body_given) or ""
    signature = _texts(data, "signature", problems, required=False) or issuers
    if issuers and signature and len(signature) != len(issuers):
        problems["signature"] = "needs one name per issuer"
    issued = _date(data, "date", problems)
    printer = _text(data, "printer", problems)
    print_date = _date(data, "print_date", problems)
    doc_number = _text(data, "doc_number", problems, required=False)
    if doc_number is not None and not _DOC_NUMBER.match(doc_number):
        problems["doc_number"] = (
            "must look like 重汽发〔2026〕15号, or be null to allocate"
        )
    copy_number = _text(data, "copy_number", problems, required=False)
    if copy_number is not None and not re.fullmatch(r"\d{6}", copy_number):
        problems["copy_number"] = "must be six digits (份号), e.g. 000123"
    attachments = _texts(data, "attachments", problems, required=False)
    cc = _texts(data, "cc", problems, required=False)
    signers = _texts(data, "signers", problems, required=False)
    secrecy = _text(data, "secrecy", problems, required=False)
    urgency = _text(data, "urgency", problems, required=False)
    if problems:
        raise MetadataError(problems)
    known = {
        "issuers", "organ_code", "title", "recipients", "body", "signature", "date",
        "printer", "print_date", "doc_number", "attachments", "cc", "signers",
        "copy_number", "secrecy", "urgency",
    }  # fmt: skip
    return OfficialDocument(
        issuers=issuers,
        organ_code=organ_code,
        title=title,
        recipients=recipients,
        body=body,
        signature=signature,
        date=issued,
        printer=printer,
        print_date=print_date,
        doc_number=doc_number,
        attachments=attachments,
        cc=cc,
        signers=signers,
        copy_number=copy_number,
        secrecy=secrecy,
        urgency=urgency,
        extra={k: v for k, v in data.items() if k not in known},
    )
