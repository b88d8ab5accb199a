"""The sandbox's workflow engine and document library, e-cology style.

Return conventions follow the reference: ``doCreateWorkflowRequest`` answers
the new request id or a negative code (-2 no permission, -3 base info,
-7 could not flow on, -8 node action failed); ``submitWorkflowRequest`` and
``forwardWorkflowRequest`` answer ``success`` or ``failed``. Attachment
fields hold comma-separated doc ids; a field given as ``http:name`` /
``base64:name`` (several joined by ``|``) is turned into new docs first.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from .store import Store, now_text
from .workflows import USERS, Node, Workflow, workflow

__all__ = ["ActionResult", "Engine", "FileRejected"]

logger = logging.getLogger(__name__)


@dataclass
class ActionResult:
    """What a node action answered: an error blocks the submit."""

    error: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


ActionRunner = Callable[[Node, dict[str, Any]], ActionResult]


class FileRejected(ValueError):
    """An attachment could not be read (bad base64, unreachable URL, too large)."""


class Engine:
    def __init__(
        self,
        store: Store,
        run_action: ActionRunner,
        *,
        max_file_bytes: int = 20 * 1024 * 1024,
        fetch_timeout: float = 10,
    ) -> None:
        self.store = store
        self.run_action = run_action
        self.max_file_bytes = max_file_bytes
        self.fetch_timeout = fetch_timeout

    # -- documents --------------------------------------------------------

    def create_doc(self, info: dict[str, Any], creator: int) -> int:
        now = now_text()
        with self.store.transaction() as db:
            docid = db.execute(
                "INSERT INTO docs (subject, keyword, content, creator, seccategory,"
                " created, modified) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    info.get("docSubject") or "",
                    info.get("keyword"),
                    info.get("doccontent"),
                    creator,
                    info.get("seccategory"),
                    now,
                    now,
                ),
            ).lastrowid
            self._add_files(db, docid, info.get("attachments") or [])
        return docid

    def update_doc(self, info: dict[str, Any]) -> int:
        docid = info.get("id") or 0
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM docs WHERE id = ?", (docid,)).fetchone():
                for column, key in (
                    ("subject", "docSubject"),
                    ("keyword", "keyword"),
                    ("content", "doccontent"),
                ):
                    if info.get(key) is not None:
                        db.execute(
                            f"UPDATE docs SET {column} = ? WHERE id = ?",  # noqa: S608
                            (info[key], docid),
                        )
                db.execute(
                    "UPDATE docs SET modified = ? WHERE id = ?", (now_text(), docid)
                )
                self._add_files(db, docid, info.get("attachments") or [])
                return docid
        return -1

    def _add_files(self, db, docid: int, attachments: list[dict]) -> None:
        for attachment in attachments:
            content = self._decode(attachment.get("filecontent") or "")
            db.execute(
                "INSERT INTO files (docid, filename, filetype, content)"
                " VALUES (?, ?, ?, ?)",
                (
                    docid,
                    attachment.get("filename") or f"file{docid}",
                    attachment.get("filetype"),
                    content,
                ),
            )

    def _decode(self, text: str) -> bytes:
        if len(text) * 3 // 4 > self.max_file_bytes:
            raise FileRejected("The file is too large.")
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise FileRejected("The file content is not base64.") from None

    def get_doc(self, docid: int) -> dict[str, Any] | None:
        doc = self.store.one("SELECT * FROM docs WHERE id = ?", docid)
        if doc is None:
            return None
        files = self.store.query("SELECT * FROM files WHERE docid = ?", docid)
        return self._doc_info(doc, files)

    def list_docs(self, creator: int, page: int, size: int) -> list[dict[str, Any]]:
        """The creator's docs, newest first (their files' content left out)."""
        docs = self.store.query(
            "SELECT * FROM docs WHERE creator = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            creator,
            max(1, min(size, 100)),
            max(0, page - 1) * size,
        )
        return [self._doc_info(doc, []) for doc in docs]

    @staticmethod
    def _doc_info(doc, files) -> dict[str, Any]:
        date, _, time = doc["created"].partition(" ")
        moddate, _, modtime = doc["modified"].partition(" ")
        return {
            "accessorycount": len(files),
            "attachments": [
                {
                    "docfiletype": "2",
                    "docid": doc["id"],
                    "filecontent": base64.b64encode(f["content"]).decode(),
                    "filename": f["filename"],
                    "filetype": f["filetype"],
                    "imagefileid": f["id"],
                    "imagefilename": f["filename"],
                    "imagefilesize": len(f["content"]),
                    "isextfile": "0",
                    "iszip": 0,
                }
                for f in files
            ],
            "docStatus": 1,
            "docSubject": doc["subject"],
            "docType": 1,
            "doccontent": doc["content"],
            "doccreatedate": date,
            "doccreaterid": doc["creator"],
            "doccreatertype": 0,
            "doccreatetime": time,
            "doclastmoddate": moddate,
            "doclastmodtime": modtime,
            "id": doc["id"],
            "keyword": doc["keyword"],
            "maincategory": -1,
            "ownerid": doc["creator"],
            "seccategory": doc["seccategory"],
            "subcategory": -1,
        }

    def file(self, file_id: int):
        return self.store.one("SELECT * FROM files WHERE id = ?", file_id)

    # -- form fields ------------------------------------------------------

    def _field_value(self, item: dict[str, Any], creator: int) -> str | None:
        """A field's stored value; ``http:``/``base64:`` files become docs."""
        kind = item.get("fieldType") or ""
        value = item.get("fieldValue")
        if not kind.startswith(("http:", "base64:")):
            return value
        names = kind.split("|")
        values = (value or "").split("|")
        if len(names) != len(values):
            raise FileRejected("fieldType and fieldValue list different files.")
        docids = []
        for name, content in zip(names, values, strict=True):
            prefix, _, filename = name.partition(":")
            data = self._fetch(content) if prefix == "http" else self._decode(content)
            info = {
                "docSubject": filename,
                "attachments": [
                    {
                        "filename": filename,
                        "filecontent": base64.b64encode(data).decode(),
                    }
                ],
            }
            docids.append(str(self.create_doc(info, creator)))
        return ",".join(docids)

    def _fetch(self, url: str) -> bytes:
        try:
            with requests.get(url, timeout=self.fetch_timeout, stream=True) as reply:
                reply.raise_for_status()
                data = reply.raw.read(self.max_file_bytes + 1, decode_content=True)
        except requests.RequestException as exc:
            raise FileRejected(f"Cannot download {url}: {exc}") from None
        if len(data) > self.max_file_bytes:
            raise FileRejected("The file is too large.")
        return data

    @staticmethod
    def main_fields(info: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The field items of a WorkflowRequestInfo's main table."""
        table = (info or {}).get("workflowMainTableInfo") or {}
        fields = []
        for record in table.get("requestRecords") or []:
            fields.extend((record or {}).get("workflowRequestTableFields") or [])
        return [item for item in fields if item and item.get("fieldName")]

    def _save_fields(self, db, request_id: int, flow: Workflow, values: dict) -> None:
        for name, value in values.items():
            if flow.field(name) is not None:
                db.execute(
                    "INSERT INTO fields (request_id, name, value) VALUES (?, ?, ?)"
                    " ON CONFLICT (request_id, name)"
                    " DO UPDATE SET value = excluded.value",
                    (request_id, name, value),
                )

    def fields(self, request_id: int) -> dict[str, str]:
        rows = self.store.query(
            "SELECT name, value FROM fields WHERE request_id = ?", request_id
        )
        return {row["name"]: row["value"] for row in rows}

    # -- requests ---------------------------------------------------------

    def create_request(self, info: dict[str, Any], user_id: int) -> int:
        base = info.get("workflowBaseInfo") or {}
        flow = workflow(_int(base.get("workflowId")))
        if flow is None:
            return -3
        if flow.nodes[0].operator != user_id:
            return -2
        try:
            values = {
                item["fieldName"]: self._field_value(item, user_id)
                for item in self.main_fields(info)
            }
        except FileRejected as exc:
            logger.warning("request not created: %s", exc)
            return -4
        now = now_text()
        with self.store.transaction() as db:
            request_id = db.execute(
                "INSERT INTO requests (workflow_id, name, creator, level, node_id,"
                " status, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    flow.id,
                    info.get("requestName") or flow.name,
                    user_id,
                    _int(info.get("requestLevel")),
                    flow.nodes[0].id,
                    "创建",
                    now,
                    now,
                ),
            ).lastrowid
            self._save_fields(db, request_id, flow, values)
            self._log(db, request_id, flow.nodes[0].id, user_id, "0", "创建")
        if info.get("isnextflow") == "0":
            return request_id
        outcome = self.submit(request_id, user_id, "submit", "", None)
        if outcome == "success":
            return request_id
        return -8 if outcome.startswith("action") else -7

    def request(self, request_id: int):
        return self.store.one("SELECT * FROM requests WHERE id = ?", request_id)

    def submit(
        self,
        request_id: int,
        user_id: int,
        kind: str,
        remark: str,
        info: dict[str, Any] | None,
    ) -> str:
        """``success``; ``failed`` (not the operator, bad input); ``action …``."""
        row = self.request(request_id)
        if row is None or kind not in ("submit", "subback", "reject"):
            return "failed"
        flow = workflow(row["workflow_id"])
        node = flow.node(row["node_id"])
        if node.operator != user_id or row["status"] == "归档":
            return "failed"
        try:
            values = {
                item["fieldName"]: self._field_value(item, user_id)
                for item in self.main_fields(info)
            }
        except FileRejected as exc:
            logger.warning("submit of %d refused: %s", request_id, exc)
            return "failed"
        with self.store.transaction() as db:
            self._save_fields(db, request_id, flow, values)
        target = flow.after(node.id, -1 if kind == "reject" else 1)
        if target is None:
            return "failed"
        if kind != "reject" and target.action:
            result = self.run_action(target, self.view(request_id))
            if result.error:
                with self.store.transaction() as db:
                    self._log(db, request_id, node.id, user_id, "action", result.error)
                return "action failed"
            with self.store.transaction() as db:
                self._save_fields(db, request_id, flow, result.fields)
        status = "归档" if target is flow.nodes[-1] else target.name
        with self.store.transaction() as db:
            db.execute(
                "UPDATE requests SET node_id = ?, status = ?, modified = ?"
                " WHERE id = ?",
                (target.id, status, now_text(), request_id),
            )
            log_type = {"reject": "3", "submit": "2", "subback": "2"}[kind]
            self._log(db, request_id, node.id, user_id, log_type, remark)
        return "success"

    def forward(
        self, request_id: int, operators: str, remark: str, user_id: int
    ) -> str:
        row = self.request(request_id)
        targets = [_int(part) for part in (operators or "").split(",") if part]
        if row is None or not targets or not all(t in USERS for t in targets):
            return "failed"
        with self.store.transaction() as db:
            names = "、".join(USERS[t][1] for t in targets)
            self._log(db, request_id, row["node_id"], user_id, "forward", remark, names)
        return "success"

    def todo(self, user_id: int, page: int, size: int) -> list[int]:
        mine = [
            row["id"]
            for row in self.store.query(
                "SELECT id, workflow_id, node_id FROM requests WHERE status != '归档'"
                " ORDER BY id DESC"
            )
            if workflow(row["workflow_id"]).node(row["node_id"]).operator == user_id
        ]
        size = max(1, min(size or 10, 100))
        start = max(0, (page or 1) - 1) * size
        return mine[start : start + size]

    def view(self, request_id: int) -> dict[str, Any]:
        """The request as the form and the node actions see it."""
        row = self.request(request_id)
        flow = workflow(row["workflow_id"])
        node = flow.node(row["node_id"])
        logs = self.store.query(
            "SELECT * FROM logs WHERE request_id = ? ORDER BY id", request_id
        )
        return {
            "row": row,
            "workflow": flow,
            "node": node,
            "fields": self.fields(request_id),
            "logs": logs,
        }

    @staticmethod
    def _log(db, request_id, node_id, operator, kind, remark, received=None) -> None:
        db.execute(
            "INSERT INTO logs (request_id, node_id, operator, type, remark, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                request_id,
                node_id,
                operator,
                kind,
                remark if received is None else f"{remark} → {received}",
                now_text(),
            ),
        )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
