"""Helpers for OA tests: a sandbox on loopback and requests built for it."""

from __future__ import annotations

import base64

from oa_plugin.sandbox.app import SandboxConfig, create_sandbox
from tests.wsgi_server import LoopbackServer

__all__ = ["OA_USER", "main_table", "sandbox_server", "sandbox_docs"]

OA_USER = ("ecology", "ecology-secret")
"""The WS-Security user the sandbox's node actions call the bridge as."""


def sandbox_server(
    folder, bridge_url: str | None = None, port: int = 0, **options
) -> LoopbackServer:
    config = SandboxConfig(folder, bridge_url=bridge_url, **options)
    return LoopbackServer(create_sandbox(config), port).start()


def sandbox_docs(server: LoopbackServer, keyword: str) -> list[int]:
    """Ids of the sandbox's docs carrying ``keyword``, read from its database."""
    store = server.app.extensions["ecology"].store
    return [
        row["id"]
        for row in store.query("SELECT id FROM docs WHERE keyword = ?", keyword)
    ]


def main_table(
    workflow_id: int, name: str, files: dict[str, tuple[str, bytes]], **values
):
    """A WorkflowRequestInfo for zeep: text fields and ``base64:`` files."""
    items = [{"fieldName": k, "fieldValue": v} for k, v in values.items()]
    for field, (filename, content) in files.items():
        items.append(
            {
                "fieldName": field,
                "fieldType": f"base64:{filename}",
                "fieldValue": base64.b64encode(content).decode(),
            }
        )
    record = {
        "recordOrder": 0,
        "workflowRequestTableFields": {"WorkflowRequestTableField": items},
    }
    return {
        "requestName": name,
        "requestLevel": "0",
        "workflowBaseInfo": {"workflowId": str(workflow_id)},
        "workflowMainTableInfo": {
            "requestRecords": {"WorkflowRequestTableRecord": [record]}
        },
    }
