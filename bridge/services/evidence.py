"""Evidence of a contract (出证): what happened, proven from the audit chain and PDFs.

The facts are gathered once (documents and revisions, the exported hash chain,
the validation of every signature) and rendered twice: as the sealed evidence
report, and as the evidence package that can be checked offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..errors import NotFoundError
from ..extensions import db
from ..models import (
    ApiApp,
    Contract,
    ContractDocument,
    ContractEvent,
    DocumentRevision,
    utcnow,
)
from ..runtime import runtime
from ..signing.placement import KeywordPlacement
from ..signing.sealer import SealOptions, SignatureLevel
from ..signing.verify import VerificationReport
from . import verification
from .audit import GENESIS, chain_break, export_event
from .contracts import find_contract, storage
from .conversion import convert_docx
from .evidence_report import ISSUER_KEYWORD, report_docx
from .sealing import seal_pdf
from .seals import find_seal

__all__ = [
    "DocumentEvidence",
    "Evidence",
    "evidence_of",
    "evidence_report",
    "gather",
    "operator_evidence",
    "platform_seal_name",
    "sealed_report",
]

_SEAL_OFFSET_PT = (120.0, 0.0)
"""The platform seal stands right of ``出证机构（盖章）：``."""


@dataclass(frozen=True)
class DocumentEvidence:
    """One document: every stored revision, and the check of its current one."""

    document: ContractDocument
    revisions: list[DocumentRevision]
    validation: VerificationReport | None
    """None for a document that carries no signature yet."""


@dataclass(frozen=True)
class Evidence:
    contract: Contract
    documents: list[DocumentEvidence]
    events: list[dict]
    """The audit chain as exported JSON (see :func:`audit.export_event`)."""
    chain_problem: str | None
    issued_at: datetime

    @property
    def chain_head(self) -> str:
        return self.events[-1]["hash"] if self.events else GENESIS


def _events(contract_id: str) -> list[dict]:
    rows = db.session.scalars(
        select(ContractEvent)
        .where(ContractEvent.contract_id == contract_id)
        .order_by(ContractEvent.seq)
    )
    return [export_event(row) for row in rows]


def _document_evidence(document: ContractDocument) -> DocumentEvidence:
    pdf = storage().get(document.current.sha256)
    report = verification.verify(pdf)
    signed = any(entry.kind == "signature" for entry in report.signatures)
    return DocumentEvidence(
        document, list(document.revisions), report if signed else None
    )


def gather(contract: Contract, issued_at: datetime) -> Evidence:
    """Collect the facts of ``contract`` as they stand at ``issued_at``."""
    events = _events(contract.id)
    return Evidence(
        contract=contract,
        documents=[_document_evidence(d) for d in contract.documents],
        events=events,
        chain_problem=chain_break(events),
        issued_at=issued_at,
    )


def evidence_of(api_app: ApiApp, contract_id: str) -> Evidence:
    """The evidence of a contract the app may see (another tenant's: not found)."""
    return gather(find_contract(api_app, contract_id), utcnow())


def operator_evidence(contract_id: str) -> Evidence:
    """The evidence of any contract, for an operator at the command line."""
    contract = db.session.get(Contract, contract_id)
    if contract is None:
        raise NotFoundError(
            f"There is no contract {contract_id}.", code="unknown_contract"
        )
    return gather(contract, utcnow())


def platform_seal_name() -> str:
    """``EVIDENCE_SEAL``, else the finance company's automatic seal."""
    config = runtime().config
    return config["EVIDENCE_SEAL"] or config["AUTO_SEAL"]


def sealed_report(evidence: Evidence) -> bytes:
    """The evidence report as PDF, sealed by the platform seal at PAdES B-LTA."""
    seal_name = platform_seal_name()
    issuer = find_seal(seal_name).company
    pdf = convert_docx(report_docx(evidence, issuer))
    return seal_pdf(
        pdf,
        seal_name,
        SealOptions(
            placement=KeywordPlacement(ISSUER_KEYWORD, "last", _SEAL_OFFSET_PT),
            level=SignatureLevel.B_LTA,
            reason="出证报告",
        ),
    ).pdf


def evidence_report(api_app: ApiApp, contract_id: str) -> tuple[Contract, bytes]:
    evidence = evidence_of(api_app, contract_id)
    return evidence.contract, sealed_report(evidence)
