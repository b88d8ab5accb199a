"""Writing a result back into an OA request, safely repeatable.

A pushback puts a PDF into the request as a new OA document, writes its id
into the form's attachment field together with status fields, and submits
the request on from the node that asked. It is retried until delivered (the
bridge's outbox), so every step first checks whether an earlier attempt did
it already:

- each document carries a marker keyword unique per request and node; an
  existing document with it is reused instead of creating a second one;
- the request is submitted only while it still stands at that node; if it
  has moved on, an earlier attempt (or a person) already did it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .client import EcologyClient, OaRefused

__all__ = ["Document", "Pushback", "marker", "push_documents"]


def marker(request_id: int, node: str, purpose: str) -> str:
    return f"sealbridge:{request_id}:{node}:{purpose}"


@dataclass(frozen=True)
class Document:
    filename: str
    subject: str
    purpose: str
    """Unique within the request and node (e.g. ``sealed:12``): the marker."""


@dataclass(frozen=True)
class Pushback:
    request_id: int
    node: str
    """The node that asked; the request is submitted on from there."""
    user: int
    """The OA user the node belongs to, who submits it."""
    field: str
    """The attachment field the new doc ids are added to."""
    documents: tuple[Document, ...]
    status_fields: dict[str, str] = field(default_factory=dict)
    remark: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> Pushback:
        """The inverse of ``dataclasses.asdict`` (extra keys ignored)."""
        documents = tuple(Document(**d) for d in data["documents"])
        known = {"request_id", "node", "user", "field", "status_fields", "remark"}
        return cls(documents=documents, **{k: v for k, v in data.items() if k in known})

    def marker(self, document: Document) -> str:
        return marker(self.request_id, self.node, document.purpose)


def push_documents(
    client: EcologyClient, job: Pushback, pdfs: list[bytes]
) -> list[int]:
    """Deliver ``job`` (one PDF per document); the OA doc ids. Raises OaError."""
    state = client.get_request(job.request_id, job.user)
    docids = [
        client.find_doc(job.marker(document))
        or client.create_doc(
            document.subject, document.filename, pdf, keyword=job.marker(document)
        )
        for document, pdf in zip(job.documents, pdfs, strict=True)
    ]
    if state.node != job.node:
        return docids
    ids = [i for i in (state.fields.get(job.field) or "").split(",") if i]
    ids += [str(docid) for docid in docids if str(docid) not in ids]
    fields = {job.field: ",".join(ids), **job.status_fields}
    if not client.submit(job.request_id, job.user, fields, job.remark):
        if client.get_request(job.request_id, job.user).node == job.node:
            raise OaRefused(
                f"OA request {job.request_id} was not submitted from {job.node}."
            )
    return docids
