"""Node actions: the sandbox calls the bridge's ``/soap/oa`` as e-cology would.

In a real e-cology these are WebService actions (``wsactionset``) or a small
Java ``Action`` bound to the node; both send the same SOAP request, with a
WS-Security UsernameToken, built from the node's field mapping. A fault or an
unreachable bridge blocks the submit with the message shown in the log, as
``setMessagecontent`` + ``FAILURE_AND_CONTINUE`` does.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

import requests
import zeep
from zeep.exceptions import Error as ZeepError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from .engine import ActionResult
from .workflows import Node

__all__ = ["BridgeActions"]

logger = logging.getLogger(__name__)

LIST_SEPARATORS = re.compile(r"[;；]")


def _values(text: str | None) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text or "") if part.strip()]


class BridgeActions:
    """Runs the ``red_header`` and ``seal_task`` node actions against the bridge."""

    def __init__(
        self, bridge_url: str, username: str, password: str, timeout: float = 120
    ) -> None:
        self.bridge_url = bridge_url.rstrip("/")
        self.username = username
        self.password = password
        self.timeout = timeout
        self._client: zeep.Client | None = None
        self._lock = threading.Lock()

    def _service(self):
        with self._lock:
            if self._client is None:
                session = requests.Session()
                session.trust_env = False
                self._client = zeep.Client(
                    f"{self.bridge_url}/soap/oa?wsdl",
                    transport=Transport(
                        session=session, timeout=10, operation_timeout=self.timeout
                    ),
                    wsse=UsernameToken(self.username, self.password, use_digest=True),
                )
            return self._client.service

    def __call__(self, node: Node, request: dict[str, Any]) -> ActionResult:
        try:
            if node.action == "red_header":
                return self._red_header(node, request)
            if node.action == "seal_task":
                return self._seal_task(node, request)
        except ZeepError as exc:
            message = getattr(exc, "message", None) or str(exc)
            logger.warning("node action %s failed: %s", node.action, message)
            return ActionResult(error=f"电子签章服务：{message}")
        except (requests.RequestException, OSError) as exc:
            return ActionResult(error=f"电子签章服务不可用：{type(exc).__name__}")
        return ActionResult(error=f"未知的节点动作 {node.action}")

    @staticmethod
    def _field(request: dict[str, Any], spec: str | None) -> str | None:
        """A parameter's value: ``=literal`` or the named form field."""
        if spec is None:
            return None
        if spec.startswith("="):
            return spec[1:]
        return request["fields"].get(spec)

    def _common(self, node: Node, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "requestId": request["row"]["id"],
            "nodeName": node.name,
            "oaUser": node.operator,
            "resultField": node.params["result"],
            "statusField": node.params.get("status"),
        }

    def _red_header(self, node: Node, request: dict[str, Any]) -> ActionResult:
        params = dict(node.params)
        body_ids = (self._field(request, params.pop("body")) or "").split(",")
        template = self._field(request, params.pop("template"))
        number_field = params.pop("number", None)
        for key in ("result", "status"):
            params.pop(key, None)
        fields = [
            {"name": name, "value": _values(self._field(request, spec))}
            for name, spec in params.items()
        ]
        answer = self._service().applyRedHeader(
            **self._common(node, request),
            template=template or "",
            bodyDocId=int(body_ids[0]) if body_ids[0].isdigit() else 0,
            field=fields,
            numberField=number_field,
        )
        updates = {number_field: answer.docNumber} if number_field else {}
        return ActionResult(fields=updates)

    def _seal_task(self, node: Node, request: dict[str, Any]) -> ActionResult:
        params = node.params
        self._service().createSealTask(
            **self._common(node, request),
            sealKind=self._field(request, params["seal_kind"]) or "",
            documentIds=self._field(request, params["documents"]) or "",
            keyword=self._field(request, params.get("keyword")),
            signature=_values(self._field(request, params.get("signatures"))),
        )
        status = params.get("status")
        return ActionResult(fields={status: "待用印"} if status else {})
