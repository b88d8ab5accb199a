"""Helpers for OA tests: a sandbox on loopback and requests built for it."""

from __future__ import annotations

import base64
import hashlib

from oa_plugin.sandbox.app import SandboxConfig, create_sandbox
from tests.wsgi_server import LoopbackServer

__all__ = [
    "OA_USER",
    "SOAP_NS",
    "digest_token",
    "main_table",
    "sandbox_docs",
    "sandbox_server",
    "soap_envelope",
]

SOAP_NS = "urn:sealbridge:oa"

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


def soap_envelope(
    security: str = "",
    body: str = "<sb:getSealTask><sb:taskId>x</sb:taskId></sb:getSealTask>",
) -> bytes:
    """A SOAP 1.1 envelope for the bridge's /soap/oa."""
    return (
        '<?xml version="1.0"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
        f' xmlns:sb="{SOAP_NS}">'
        f"<soap:Header>{security}</soap:Header><soap:Body>{body}</soap:Body>"
        "</soap:Envelope>"
    ).encode()


def digest_token(
    password: str,
    created: str,
    nonce: bytes,
    user: str = OA_USER[0],
    password_type: str = "PasswordDigest",
) -> str:
    """A WS-Security header with a UsernameToken (password digest by default)."""
    digest = base64.b64encode(
        hashlib.sha1(nonce + created.encode() + password.encode()).digest()
    ).decode()
    profile = (
        "http://docs.oasis-open.org/wss/2004/01/"
        "oasis-200401-wss-username-token-profile-1.0"
    )
    return (
        '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/'
        'wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>'
        f"<wsse:Username>{user}</wsse:Username>"
        f'<wsse:Password Type="{profile}#{password_type}">{digest}</wsse:Password>'
        f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
        f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"
    )
