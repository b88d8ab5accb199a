"""The two JSON steps of an SMS-code login, shared by ``/op`` and ``/dashboard``:
ask for a code (texted at once), then log in with mobile + code."""

from __future__ import annotations

from collections.abc import Callable

from flask import jsonify, request

from ..outbox.dispatch import dispatch_now
from ..sms import mask_mobile

__all__ = ["login_fields", "send_code"]


def send_code(send: Callable[[str, str], int | None]):
    """Answer a code request; ``send(mobile, client address)`` returns the SMS's
    outbox id, or None."""
    mobile = str((request.get_json(silent=True) or {}).get("mobile", "")).strip()
    message_id = send(mobile, request.remote_addr or "")
    if message_id is not None:
        dispatch_now(message_id)
    return jsonify({"sent": True, "mobile": mask_mobile(mobile)})


def login_fields() -> tuple[str, str, str]:
    """The mobile, the code and the client address of a login request."""
    body = request.get_json(silent=True) or {}
    mobile, code = str(body.get("mobile", "")).strip(), str(body.get("code", ""))
    return mobile, code, request.remote_addr or ""
