"""Rendered contract JSON, kept per process until the contract's next event.

A finance system polls a contract's status far more often than the contract
changes. Every change appends an audit event and bumps
``Contract.last_event_seq``, so the contract id and that number name one
rendering exactly: a poll costs one single-row query, and a client that sends
the ETag back gets ``304 Not Modified`` without a body.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Response, current_app, request

from ..auth.requests import current_api_app
from ..services import contracts
from .contract_io import contract_json

__all__ = ["contract_response"]

_CAPACITY = 4096  # renderings of a few KB each


class _Renderings:
    """A thread-safe LRU of ``contract id -> (event seq, JSON bytes)``."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, contract_id: str, seq: int) -> bytes | None:
        with self._lock:
            item = self._items.get(contract_id)
            if item is None or item[0] != seq:
                return None
            self._items.move_to_end(contract_id)
            return item[1]

    def put(self, contract_id: str, seq: int, body: bytes) -> None:
        with self._lock:
            self._items[contract_id] = (seq, body)
            self._items.move_to_end(contract_id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)


def _renderings() -> _Renderings:
    return current_app.extensions.setdefault(
        "sealbridge.contract_renderings", _Renderings(_CAPACITY)
    )


def contract_response(contract_id: str) -> Response:
    """``GET`` of one contract: 304 for a matching ETag, else cached or fresh JSON."""
    api_app = current_api_app()
    seq = contracts.contract_version(api_app, contract_id)
    etag = f"{contract_id}.{seq}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        body = _renderings().get(contract_id, seq)
        if body is None:
            contract = contracts.find_contract(api_app, contract_id)
            body = current_app.json.dumps(contract_json(contract)).encode()
            _renderings().put(contract_id, contract.last_event_seq, body)
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
