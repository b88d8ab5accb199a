"""The archive: completed contracts recorded at completion, searched by index.

``archive_contract`` runs inside the completion's transaction, so a contract
is COMPLETE exactly when it is archived. Search never sees an ID number: it
compares keyed hashes. A dealer app searches its own store only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from ..domain.contracts import ContractStatus
from ..errors import InvalidInputError
from ..extensions import db
from ..models import ApiApp, ArchiveRecord, Contract, utcnow
from ..runtime import runtime
from .identities import id_number_digest

__all__ = [
    "ArchivePage",
    "ArchiveQuery",
    "archive_contract",
    "archived_between",
    "note_status",
    "search_archive",
]


def _years_later(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def archive_contract(contract: Contract, document_sha256: str) -> ArchiveRecord:
    """Record the completed ``contract`` (added to the session, not committed)."""
    record = ArchiveRecord(
        contract_id=contract.id,
        tenant=contract.tenant,
        contract_number=contract.biz_id,
        subject=contract.subject,
        category=contract.category,
        status=contract.status,
        borrower_name=contract.borrower_name,
        borrower_id_hash=contract.borrower_id_hash,
        document_sha256=document_sha256,
        chain_head=contract.last_event_hash,
        completed_at=contract.completed_at,
        retain_until=_years_later(
            contract.completed_at, runtime().config["ARCHIVE_RETENTION_YEARS"]
        ),
    )
    db.session.add(record)
    return record


def note_status(contract: Contract) -> None:
    """Keep an archived contract's status current (e.g. INVALIDATED)."""
    record = db.session.scalar(
        select(ArchiveRecord).where(ArchiveRecord.contract_id == contract.id)
    )
    if record is not None:
        record.status = contract.status


@dataclass(frozen=True)
class ArchiveQuery:
    """Search filters; each one given narrows the result."""

    store: str | None = None
    borrower: str | None = None
    """The borrower's full name."""
    id_number: str | None = None
    contract_number: str | None = None
    category: str | None = None
    status: str | None = None
    completed_from: date | None = None
    completed_to: date | None = None
    """Inclusive."""


@dataclass(frozen=True)
class ArchivePage:
    items: list[ArchiveRecord]
    total: int
    page: int
    page_size: int


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=utcnow().tzinfo)


def _filtered(query: ArchiveQuery, api_app: ApiApp | None):
    statement = select(ArchiveRecord)
    if api_app is not None and not api_app.head_office:
        statement = statement.where(ArchiveRecord.tenant == api_app.tenant)
    if query.status and query.status not in ContractStatus.__members__:
        raise InvalidInputError(
            f"Unknown status {query.status!r}.",
            code="invalid_request",
            details={"status": "unknown status"},
        )
    conditions = {
        ArchiveRecord.tenant: query.store,
        ArchiveRecord.borrower_name: query.borrower,
        ArchiveRecord.contract_number: query.contract_number,
        ArchiveRecord.category: query.category,
        ArchiveRecord.status: query.status,
        ArchiveRecord.borrower_id_hash: (
            id_number_digest(query.id_number) if query.id_number else None
        ),
    }
    for column, value in conditions.items():
        if value:
            statement = statement.where(column == value)
    if query.completed_from:
        statement = statement.where(
            ArchiveRecord.completed_at >= _start_of(query.completed_from)
        )
    if query.completed_to:
        statement = statement.where(
            ArchiveRecord.completed_at
            < _start_of(query.completed_to + timedelta(days=1))
        )
    return statement


def search_archive(
    api_app: ApiApp | None, query: ArchiveQuery, page: int = 1, page_size: int = 20
) -> ArchivePage:
    """Newest first; ``api_app`` None is an operator (every store)."""
    statement = _filtered(query, api_app)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    items = db.session.scalars(
        statement.order_by(ArchiveRecord.completed_at.desc(), ArchiveRecord.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return ArchivePage(list(items), total, page, page_size)


def archived_between(first: date, last: date) -> list[str]:
    """Ids of the contracts completed from ``first`` to ``last`` (inclusive)."""
    statement = _filtered(ArchiveQuery(completed_from=first, completed_to=last), None)
    return list(
        db.session.scalars(
            statement.with_only_columns(ArchiveRecord.contract_id).order_by(
                ArchiveRecord.completed_at
            )
        )
    )
