"""Writing a result back into an OA request, safely repeatable.

A pushback puts a PDF into the request as a new OA document, writes its id
into the form's attachment field together with status fields, and submits
the request on from the node that asked. It is retried until delivered (the
bridge's outbox), so every step first checks whether an earlier attempt did
it already:

- the document carries a marker keyword unique per request and node; an
  existing document with it is reused instead of creating a second one;
- the request is submitted only while it still stands at that node; if it
  has moved on, an earlier attempt (or a person) already did it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .client import EcologyClient, OaRefused

__all__ = ["Pushback", "marker", "push_document"]


def marker(request_id: int, node: str, purpose: str) -> str:
    return f"sealbridge:{request_id}:{node}:{purpose}"


@dataclass(frozen=True)
class Pushback:
    request_id: int
    node: str
    """The node that asked; the request is submitted on from there."""
    user: int
    """The OA user the node belongs to, who submits it."""
    field: str
    """The attachment field the new doc id is added to."""
    filename: str
    subject: str
    purpose: str
    status_fields: dict[str, str] = field(default_factory=dict)
    remark: str = ""

    @property
    def marker(self) -> str:
        return marker(self.request_id, self.node, self.purpose)


def push_document(client: EcologyClient, job: Pushback, pdf: bytes) -> int:
    """Deliver ``job``; the OA document id. Raises OaError to be retried."""
    state = client.get_request(job.request_id, job.user)
    docid = client.find_doc(job.marker) or client.create_doc(
        job.subject, job.filename, pdf, keyword=job.marker
    )
    if state.node != job.node:
        return docid
    ids = [i for i in (state.fields.get(job.field) or "").split(",") if i]
    if str(docid) not in ids:
        ids.append(str(docid))
    fields = {job.field: ",".join(ids), **job.status_fields}
    if not client.submit(job.request_id, job.user, fields, job.remark):
        if client.get_request(job.request_id, job.user).node == job.node:
            raise OaRefused(
                f"OA request {job.request_id} was not submitted from {job.node}."
            )
    return docid
