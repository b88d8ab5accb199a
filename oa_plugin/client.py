"""A zeep client for e-cology's WorkflowService and DocService.

Works against a real e-cology and the sandbox alike: both are loaded from
their ``?wsdl``. Every call has a connect and a read timeout, and a series of
calls can share a deadline (:meth:`EcologyClient.deadline`). DocService
needs a session from ``login``; the OA forgets sessions (restart, expiry), and
then answers ``0`` / nil, so a call that looks like that logs in again once and
is repeated.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
import zeep
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault
from zeep.transports import Transport

__all__ = ["EcologyClient", "OaError", "OaRefused", "OaUnavailable", "RequestState"]


class OaError(Exception):
    """The OA did not do what was asked."""


class OaUnavailable(OaError):
    """The OA could not be reached or did not answer in time."""


class OaRefused(OaError):
    """The OA answered, but refused (fault, failed, negative id)."""


@dataclass(frozen=True)
class RequestState:
    request_id: int
    node: str
    status: str
    fields: dict[str, str | None]


def _request_state(info) -> RequestState:
    fields: dict[str, str | None] = {}
    table = info.workflowMainTableInfo
    records = table.requestRecords.WorkflowRequestTableRecord if table else []
    for record in records or []:
        items = record.workflowRequestTableFields
        for item in (items.WorkflowRequestTableField if items else None) or []:
            fields[item.fieldName] = item.fieldValue
    return RequestState(
        int(info.requestId), info.currentNodeName, info.status or "", fields
    )


class _DeadlineTransport(Transport):
    """zeep's transport whose read timeout never runs past the calling thread's
    deadline, if it has one."""

    def __init__(self, deadlines: threading.local, **options) -> None:
        self._deadlines = deadlines
        super().__init__(**options)

    @property
    def operation_timeout(self) -> float:
        deadline = getattr(self._deadlines, "at", None)
        if deadline is None:
            return self._timeout
        return max(0.01, min(self._timeout, deadline - time.monotonic()))

    @operation_timeout.setter
    def operation_timeout(self, seconds: float) -> None:
        self._timeout = seconds


class EcologyClient:
    def __init__(
        self,
        base_url: str,
        login: str,
        password: str,
        *,
        timeout: float = 20,
        client_ip: str = "127.0.0.1",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.login_id = login
        self.password = password
        self.timeout = timeout
        self.client_ip = client_ip
        self._clients: dict[str, zeep.Client] = {}
        self._session: str | None = None
        self._lock = threading.Lock()
        self._deadlines = threading.local()

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """The calls this thread makes inside take ``seconds`` at most, together.

        A call that would start after it raises :class:`OaUnavailable`; one under
        way has its read timeout cut to what is left.
        """
        self._deadlines.at = time.monotonic() + seconds
        try:
            yield
        finally:
            self._deadlines.at = None

    def _service(self, name: str):
        with self._lock:
            if name not in self._clients:
                http = requests.Session()
                http.trust_env = False
                transport = _DeadlineTransport(
                    self._deadlines,
                    session=http,
                    timeout=self.timeout,
                    operation_timeout=self.timeout,
                )
                try:
                    self._clients[name] = zeep.Client(
                        f"{self.base_url}/services/{name}?wsdl", transport=transport
                    )
                except (requests.RequestException, OSError, ZeepError) as exc:
                    raise OaUnavailable(f"{name} WSDL: {exc}") from exc
            return self._clients[name].service

    def _call(self, name: str, operation: str, *args):
        deadline = getattr(self._deadlines, "at", None)
        if deadline is not None and time.monotonic() >= deadline:
            raise OaUnavailable(f"{operation}: no time left before the deadline")
        try:
            return getattr(self._service(name), operation)(*args)
        except Fault as exc:
            raise OaRefused(f"{operation}: {exc.message}") from exc
        except (requests.RequestException, OSError, ZeepError) as exc:
            raise OaUnavailable(f"{operation}: {type(exc).__name__}: {exc}") from exc

    # -- DocService -------------------------------------------------------

    def _login(self) -> str:
        session = self._call(
            "DocService", "login", self.login_id, self.password, 0, self.client_ip
        )
        if not session:
            raise OaRefused(f"DocService login of {self.login_id!r} was refused.")
        self._session = session
        return session

    def _with_session(self, call: Callable[[str], Any], forgotten) -> Any:
        """``call(session)``; once more after a new login if the OA forgot us."""
        answer = call(self._session or self._login())
        if forgotten(answer):
            answer = call(self._login())
        return answer

    def create_doc(
        self,
        subject: str,
        filename: str,
        content: bytes,
        *,
        keyword: str = "",
        filetype: str = "application/pdf",
        category: int | None = None,
    ) -> int:
        """A new OA document holding one file (base64, as ``createDoc`` wants)."""
        doc = {
            "accessorycount": 1,
            "attachments": {
                "DocAttachment": [
                    {
                        "docfiletype": "2",
                        "docid": 0,
                        "filecontent": base64.b64encode(content).decode(),
                        "filename": filename,
                        "filetype": filetype,
                        "imagefileid": 0,
                        "isextfile": "0",
                        "iszip": 0,
                    }
                ]
            },
            "docStatus": 1,
            "docSubject": subject,
            "docType": 1,
            "id": 0,
            "keyword": keyword,
            "maincategory": -1,
            "seccategory": category,
            "subcategory": -1,
        }
        docid = self._with_session(
            lambda session: self._call("DocService", "createDoc", doc, session),
            lambda answer: answer == 0,
        )
        if not docid or docid < 0:
            raise OaRefused(f"createDoc answered {docid}.")
        return docid

    def find_doc(self, keyword: str, pages: int = 3, page_size: int = 50) -> int | None:
        """The newest of our own docs carrying ``keyword`` (a pushback marker)."""
        for page in range(1, pages + 1):
            docs = self._with_session(
                lambda session, page=page: self._call(
                    "DocService", "getList", session, page, page_size
                ),
                # Empty is also what a forgotten session gets: ask once more.
                lambda answer: not answer,
            )
            for doc in docs or []:
                if doc.keyword == keyword:
                    return int(doc.id)
            if not docs or len(docs) < page_size:
                return None
        return None

    def doc_file(self, docid: int) -> tuple[str, bytes]:
        """The first file of an OA document: its name and bytes."""
        doc = self._with_session(
            lambda session: self._call("DocService", "getDoc", docid, session),
            lambda answer: answer is None or answer.id is None,
        )
        files = doc.attachments.DocAttachment if doc and doc.attachments else []
        if not files or doc.id is None:
            raise OaRefused(f"OA document {docid} has no file.")
        return files[0].filename, base64.b64decode(files[0].filecontent or "")

    # -- WorkflowService --------------------------------------------------

    def get_request(self, request_id: int, user: int) -> RequestState:
        info = self._call("WorkflowService", "getWorkflowRequest", request_id, user, 0)
        if info is None or info.requestId is None:
            raise OaRefused(f"OA request {request_id} does not exist.")
        return _request_state(info)

    def submit(
        self, request_id: int, user: int, fields: dict[str, str], remark: str
    ) -> bool:
        """Set main-table fields and submit the request to its next node."""
        items = [
            {"edit": True, "fieldName": name, "fieldValue": value, "view": True}
            for name, value in fields.items()
        ]
        info = {
            "requestId": str(request_id),
            "workflowMainTableInfo": {
                "requestRecords": {
                    "WorkflowRequestTableRecord": [
                        {
                            "recordOrder": 0,
                            "workflowRequestTableFields": {
                                "WorkflowRequestTableField": items
                            },
                        }
                    ]
                }
            },
        }
        answer = self._call(
            "WorkflowService",
            "submitWorkflowRequest",
            info,
            request_id,
            user,
            "submit",
            remark,
        )
        return answer == "success"
