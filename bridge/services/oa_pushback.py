"""OA pushback through the outbox: enqueue with the change, deliver with retries.

The PDF is kept in the content-addressed document store; the outbox row
holds only its digest and where it goes, so a retry pushes the same bytes.
"""

from __future__ import annotations

import dataclasses

from oa_plugin.client import EcologyClient, OaError
from oa_plugin.pushback import Pushback, push_documents

from ..errors import StorageUnavailableError
from ..outbox import enqueue_pushback
from ..runtime import runtime
from .oa_settings import oa_settings, require
from .storage import storage

__all__ = ["budget_seconds", "client", "deliver", "enqueue_documents"]

CALLS_BUDGETED = 3
"""A pushback's calls (find, create, submit, ...) share three calls' timeouts."""


def budget_seconds() -> float:
    """The most one pushback may take; the outbox's claim lease outlasts it."""
    return CALLS_BUDGETED * oa_settings()["timeout_seconds"]


def client() -> EcologyClient:
    """The e-cology client of this deployment (one per process)."""
    settings = oa_settings()
    url, login = require("url"), settings["login"]
    return runtime().cached(
        ("oa_client", url, login),
        lambda: EcologyClient(
            url,
            login,
            settings["password"] or "",
            timeout=settings["timeout_seconds"],
        ),
    )


def enqueue_documents(job: Pushback, pdfs: list[bytes]) -> list[str]:
    """Queue ``pdfs`` (one per ``job.documents``) — in the caller's transaction.

    Returns their SHA-256 digests (their names in the document store).
    """
    payload = dataclasses.asdict(job)
    payload["sha256"] = [storage().put(pdf) for pdf in pdfs]
    enqueue_pushback(payload, subject_id=f"oa:{job.request_id}")
    return payload["sha256"]


def deliver(payload: dict) -> str | None:
    """Push one queued job; None when done, else why not (to retry)."""
    job = Pushback.from_dict(payload)
    oa = client()
    try:
        with oa.deadline(budget_seconds()):
            push_documents(oa, job, [storage().get(s) for s in payload["sha256"]])
    except (OaError, StorageUnavailableError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None
