"""The sandbox's SOAP operations: WorkflowService and DocService over the engine.

DocService sessions behave like ``DocServiceImpl``'s ``sessionIDMap``: a
``login`` returns a token valid for ``session_seconds``; an unknown or
expired token makes ``createDoc``/``updateDoc`` answer ``0`` and ``getDoc``
answer nil, which is what clients see when the OA forgot them.
"""

from __future__ import annotations

import hmac
import secrets
import time
from pathlib import Path
from typing import Any

from ..soap import SoapService, Wsdl
from .engine import Engine, FileRejected
from .store import Store
from .workflows import USERS

__all__ = ["doc_service", "workflow_service"]

WSDL_FOLDER = Path(__file__).parent / "wsdl"


def _request_info(engine: Engine, request_id: int) -> dict[str, Any]:
    view = engine.view(request_id)
    row, flow, node = view["row"], view["workflow"], view["node"]
    values = view["fields"]
    fields = [
        {
            "edit": True,
            "fieldHtmlType": _html_type(f.kind),
            "fieldName": f.name,
            "fieldOrder": order,
            "fieldShowName": f.label,
            "fieldShowValue": values.get(f.name),
            "fieldValue": values.get(f.name),
            "mand": False,
            "view": True,
        }
        for order, f in enumerate(flow.fields)
    ]
    return {
        "canEdit": True,
        "canView": True,
        "createTime": row["created"],
        "creatorId": str(row["creator"]),
        "creatorName": USERS[row["creator"]][1],
        "currentNodeId": str(node.id),
        "currentNodeName": node.name,
        "lastOperateTime": row["modified"],
        "rejectButtonName": "退回",
        "requestId": str(row["id"]),
        "requestLevel": str(row["level"]),
        "requestName": row["name"],
        "status": row["status"],
        "submitButtonName": "提交",
        "workflowBaseInfo": {
            "workflowId": str(flow.id),
            "workflowName": flow.name,
            "workflowTypeName": flow.type_name,
        },
        "workflowMainTableInfo": {
            "requestRecords": [
                {"recordOrder": 0, "workflowRequestTableFields": fields}
            ],
            "tableDBName": flow.table,
        },
        "workflowRequestLogs": [
            {
                "id": str(log["id"]),
                "nodeId": str(log["node_id"]),
                "operateDate": log["at"][:10],
                "operateTime": log["at"][11:],
                "operateType": log["type"],
                "operatorId": str(log["operator"]),
                "operatorName": USERS[log["operator"]][1],
                "remark": log["remark"],
            }
            for log in view["logs"]
        ],
    }


def _html_type(kind: str) -> str:
    return {"text": "1", "select": "5", "attachment": "6"}[kind]


def workflow_service(engine: Engine) -> SoapService:
    def create(params, _header):
        return {
            "out": str(engine.create_request(params.get("in0") or {}, params["in1"]))
        }

    def submit(params, _header):
        outcome = engine.submit(
            params["in1"],
            params["in2"],
            params.get("in3") or "submit",
            params.get("in4") or "",
            params.get("in0"),
        )
        return {"out": "success" if outcome == "success" else "failed"}

    def get(params, _header):
        if engine.request(params["in0"]) is None:
            return {"out": None}
        return {"out": _request_info(engine, params["in0"])}

    def todo(params, _header):
        ids = engine.todo(params["in3"], params["in0"], params["in1"])
        return {"out": [_request_info(engine, request_id) for request_id in ids]}

    def forward(params, _header):
        outcome = engine.forward(
            params["in0"], params.get("in1"), params.get("in2") or "", params["in3"]
        )
        return {"out": outcome}

    return SoapService(
        Wsdl.load(WSDL_FOLDER / "WorkflowService.wsdl"),
        {
            "doCreateWorkflowRequest": create,
            "submitWorkflowRequest": submit,
            "getWorkflowRequest": get,
            "getToDoWorkflowRequestList": todo,
            "forwardWorkflowRequest": forward,
        },
    )


def doc_service(
    engine: Engine, store: Store, passwords: dict[str, str], session_seconds: float
) -> SoapService:
    def user_of(session: str | None) -> int | None:
        row = store.one(
            "SELECT user_id FROM sessions WHERE token = ? AND created > ?",
            session or "",
            time.time() - session_seconds,
        )
        return None if row is None else row["user_id"]

    def login(params, _header):
        loginid, password = params.get("in0") or "", params.get("in1") or ""
        user_id = next((i for i, (name, _) in USERS.items() if name == loginid), None)
        expected = passwords.get(loginid)
        if (
            user_id is None
            or expected is None
            or not hmac.compare_digest(expected.encode(), password.encode())
        ):
            return {"out": ""}
        token = secrets.token_hex(16)
        with store.transaction() as db:
            db.execute(
                "INSERT INTO sessions (token, user_id, created) VALUES (?, ?, ?)",
                (token, user_id, time.time()),
            )
        return {"out": token}

    def create(params, _header):
        user_id = user_of(params.get("in1"))
        if user_id is None:
            return {"out": 0}
        try:
            return {"out": engine.create_doc(params.get("in0") or {}, user_id)}
        except FileRejected:
            return {"out": -1}

    def update(params, _header):
        if user_of(params.get("in1")) is None:
            return {"out": 0}
        try:
            return {"out": engine.update_doc(params.get("in0") or {})}
        except FileRejected:
            return {"out": -1}

    def get(params, _header):
        if user_of(params.get("in1")) is None:
            return {"out": None}
        return {"out": engine.get_doc(params["in0"])}

    def get_list(params, _header):
        user_id = user_of(params.get("in0"))
        if user_id is None:
            return {"out": []}
        return {"out": engine.list_docs(user_id, params["in1"], params["in2"])}

    return SoapService(
        Wsdl.load(WSDL_FOLDER / "DocService.wsdl"),
        {
            "login": login,
            "createDoc": create,
            "updateDoc": update,
            "getDoc": get,
            "getList": get_list,
        },
    )
