"""Completed contracts with chosen signing times, for the dashboard's charts."""

from __future__ import annotations

from datetime import timedelta

from bridge.extensions import db
from bridge.models import Contract, utcnow

__all__ = ["completed_copy"]


def completed_copy(contract_id: str, hours: float, days_ago: float = 1) -> None:
    """A COMPLETE copy of a contract, signed in ``hours``, completed days ago."""
    contract = db.session.get(Contract, contract_id)
    completed = utcnow() - timedelta(days=days_ago)
    db.session.add(
        Contract(
            app_id=contract.app_id,
            tenant=contract.tenant,
            biz_id=f"{contract.biz_id}-{hours}-{days_ago}",
            request_hash="x",
            subject=contract.subject,
            category=contract.category,
            status="COMPLETE",
            sent_at=completed - timedelta(hours=hours),
            completed_at=completed,
        )
    )
    db.session.commit()
