"""Contract rules without any framework: states, transitions and signing order.

DocuSign routing semantics: signatories with equal routing orders sign in
parallel; a higher order waits until every lower one has signed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ConflictError

__all__ = [
    "ContractStatus",
    "SignatoryStatus",
    "RoutingView",
    "check_transition",
    "routing",
]


class ContractStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    SIGNING = "SIGNING"
    COMPLETE = "COMPLETE"
    REJECTED = "REJECTED"
    RECALLED = "RECALLED"
    EXPIRED = "EXPIRED"
    INVALIDATED = "INVALIDATED"


class SignatoryStatus(enum.StrEnum):
    WAITING = "WAITING"
    SIGNED = "SIGNED"
    REJECTED = "REJECTED"


_ALLOWED = {
    ContractStatus.DRAFT: {ContractStatus.SIGNING, ContractStatus.RECALLED},
    ContractStatus.SIGNING: {
        ContractStatus.COMPLETE,
        ContractStatus.REJECTED,
        ContractStatus.RECALLED,
        ContractStatus.EXPIRED,
    },
    ContractStatus.COMPLETE: {ContractStatus.INVALIDATED},
}


def check_transition(current: str, target: ContractStatus) -> None:
    """Refuse a transition the state machine does not have (409 with a code)."""
    if target not in _ALLOWED.get(ContractStatus(current), set()):
        raise ConflictError(
            f"A {current} contract cannot become {target}.",
            code="invalid_transition",
        )


@dataclass(frozen=True)
class RoutingView:
    """Who may sign now, and what follows."""

    current_order: int | None
    """The lowest routing order with someone still to sign; None when all signed."""
    current: tuple[int, ...]
    """Indexes of the signatories whose turn it is."""
    complete: bool


def routing(signatories: Sequence[tuple[int, str]]) -> RoutingView:
    """Turns from ``(routing_order, status)`` pairs, in the signatories' order."""
    waiting = [
        order for order, status in signatories if status != SignatoryStatus.SIGNED
    ]
    if not waiting:
        return RoutingView(None, (), True)
    current = min(waiting)
    indexes = tuple(
        i
        for i, (order, status) in enumerate(signatories)
        if order == current and status != SignatoryStatus.SIGNED
    )
    return RoutingView(current, indexes, False)
