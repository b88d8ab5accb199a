"""Dealer-store operators: SMS login, their company's contracts, authorised seals.

Head office decides which seals an operator may use (``sealbridge seals
authorize``); an operator only ever sees contracts where their company is a
signatory, and seals only with a seal of their company they are authorised for.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..domain.contracts import ContractStatus, SignatoryStatus
from ..domain.validators import check_credit_code, check_mobile
from ..errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from ..extensions import db
from ..models import Contract, Operator, Seal, SealAuthorization, Signatory
from ..runtime import runtime
from ..signing.appearance import MM
from ..signing.pdf_input import open_for_reading
from ..signing.placement import resolve
from ..signing.seal_preview import draw_preview
from ..signing.sealer import page_boxes
from . import otp
from .audit import Actor
from .contracts import current_turn, sign_in_turn, signatory_placement
from .seals import find_seal
from .signer import page_images
from .storage import storage

__all__ = [
    "Assignment",
    "add_operator",
    "assignments",
    "authorize_seal",
    "authorized_seals",
    "find_assignment",
    "log_in",
    "preview",
    "seal_contract",
    "send_login_code",
]


def add_operator(
    mobile: str, name: str, company: str, credit_code: str | None = None
) -> Operator:
    """Register an operator of ``company``; with its ``credit_code`` (best) the
    operator's contracts are found by code, else by the company's name."""
    problems = {"mobile": check_mobile(mobile)}
    if not name.strip():
        problems["name"] = "is required"
    if not company.strip():
        problems["company"] = "is required"
    if credit_code:
        credit_code = credit_code.strip().upper()
        problems["creditCode"] = check_credit_code(credit_code)
    problems = {field: text for field, text in problems.items() if text}
    if problems:
        raise InvalidInputError(
            "An operator needs a mobile, a name and a company"
            " (and a valid credit code, if one is given).",
            code="invalid_request",
            details=problems,
        )
    if db.session.scalar(select(Operator).where(Operator.mobile == mobile)):
        raise ConflictError(f"{mobile} is an operator already.", code="operator_exists")
    operator = Operator(
        mobile=mobile,
        name=name.strip(),
        company=company.strip(),
        credit_code=credit_code or None,
    )
    db.session.add(operator)
    db.session.commit()
    return operator


def _operator(mobile: str) -> Operator:
    operator = db.session.scalar(select(Operator).where(Operator.mobile == mobile))
    if operator is None:
        raise NotFoundError(f"There is no operator {mobile}.", code="unknown_operator")
    return operator


def authorize_seal(seal_ref: str, mobile: str, granted_by: str) -> SealAuthorization:
    """Head office lets the operator use one of their own company's seals."""
    seal, operator = find_seal(seal_ref), _operator(mobile)
    if seal.company != operator.company:
        raise ConflictError(
            f"{seal.name} is not a seal of {operator.company}.",
            code="seal_of_other_company",
        )
    existing = db.session.scalar(
        select(SealAuthorization).where(
            SealAuthorization.operator_id == operator.id,
            SealAuthorization.seal_id == seal.id,
        )
    )
    if existing:
        return existing
    grant = SealAuthorization(operator=operator, seal=seal, granted_by=granted_by)
    db.session.add(grant)
    db.session.commit()
    return grant


def authorized_seals(operator: Operator) -> list[Seal]:
    return list(
        db.session.scalars(
            select(Seal)
            .join(SealAuthorization, SealAuthorization.seal_id == Seal.id)
            .where(
                SealAuthorization.operator_id == operator.id,
                Seal.company == operator.company,
            )
            .order_by(Seal.name)
        )
    )


def _subject(mobile: str) -> str:
    return f"operator:{mobile}"


def send_login_code(mobile: str, client_ip: str) -> int | None:
    """Text a login code to a known operator; None (and no SMS) for anyone else."""
    return otp.send_login_code(
        mobile,
        client_ip,
        subject=_subject(mobile),
        use="登录经办人页面",
        known=lambda: (
            db.session.scalar(select(Operator).where(Operator.mobile == mobile))
            is not None
        ),
    )


def log_in(mobile: str, code: str, client_ip: str) -> Operator:
    """The operator, once the code is right."""
    otp.check_login_code(_subject(mobile or ""), code, client_ip)
    operator = _operator(mobile)
    db.session.commit()
    return operator


@dataclass(frozen=True)
class Assignment:
    """A contract on which the operator's company signs, and whether it may now."""

    contract: Contract
    signatory: Signatory
    waiting_for: list[str]

    @property
    def my_turn(self) -> bool:
        return not self.waiting_for


def _assignment(signatory: Signatory) -> Assignment:
    turn = current_turn(signatory.contract)
    waiting = [] if signatory in turn else [s.name for s in turn]
    return Assignment(signatory.contract, signatory, waiting)


def _signs_for(operator: Operator):
    """The condition on ``Signatory`` that it is the operator's company: by credit
    code when the operator has one, else by name (``signing_links.operators_of``
    is the same rule the other way round)."""
    if operator.credit_code:
        return Signatory.credit_code == operator.credit_code
    return Signatory.name == operator.company


def assignments(operator: Operator) -> list[Assignment]:
    """Contracts out for signing where the operator's company still has to seal."""
    signatories = db.session.scalars(
        select(Signatory)
        .join(Contract, Contract.id == Signatory.contract_id)
        .where(
            Signatory.kind == "COMPANY",
            _signs_for(operator),
            Signatory.status == SignatoryStatus.WAITING,
            Signatory.auto.is_(False),
            Contract.status == ContractStatus.SIGNING,
        )
        .order_by(Contract.sent_at.desc())
    )
    found = [_assignment(s) for s in signatories]
    return sorted(found, key=lambda a: not a.my_turn)


def find_assignment(operator: Operator, signatory_id: int) -> Assignment:
    signatory = db.session.scalar(
        select(Signatory).where(
            Signatory.id == signatory_id,
            Signatory.kind == "COMPANY",
            _signs_for(operator),
        )
    )
    if signatory is None:
        raise NotFoundError(
            "There is no such contract for you.", code="unknown_contract"
        )
    return _assignment(signatory)


def _authorized(operator: Operator, seal_id: str) -> Seal:
    seal = next((s for s in authorized_seals(operator) if s.id == seal_id), None)
    if seal is None:
        raise ForbiddenError(
            "You are not authorised to use this seal.", code="seal_not_authorized"
        )
    return seal


def preview(operator: Operator, signatory_id: int, seal_id: str) -> bytes:
    """The page where the seal lands, with the seal drawn there (JPEG)."""
    assignment = find_assignment(operator, signatory_id)
    seal = _authorized(operator, seal_id)
    document = next(d for d in assignment.contract.documents if d.kind == "contract")
    sha256 = document.current.sha256
    pdf = storage().get(sha256)
    boxes = page_boxes(open_for_reading(pdf, runtime().config["MAX_UPLOAD_BYTES"]))
    (widget, *_) = resolve(
        signatory_placement(assignment.signatory.placement),
        pdf=pdf,
        page_boxes=boxes,
        size=(seal.width_mm * MM, seal.height_mm * MM),
    )
    page = page_images().page(pdf, sha256, widget.page_index + 1)
    return draw_preview(page, boxes[widget.page_index], widget, seal.image_png)


def seal_contract(
    operator: Operator, signatory_id: int, seal_id: str, actor: Actor
) -> Contract:
    assignment = find_assignment(operator, signatory_id)
    seal = _authorized(operator, seal_id)
    return sign_in_turn(
        assignment.contract, assignment.signatory, actor, seal_ref=seal.id
    )
