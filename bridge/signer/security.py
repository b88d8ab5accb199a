"""What every people-facing page gets: CSP and friends, CSRF checks, error pages."""

from __future__ import annotations

import hmac
import secrets

from flask import (
    Blueprint,
    jsonify,
    make_response,
    render_template,
    request,
    session,
)

from ..errors import BridgeError, ForbiddenError
from ..services.audit import Actor
from .messages import message_for

__all__ = ["actor", "csrf_token", "protect", "wants_json"]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    if request.method != "POST":
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(sent, expected):
        raise ForbiddenError(
            "The form has expired; reload the page.", code="csrf_failed"
        )


def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def wants_json() -> bool:
    return request.method == "POST" and request.accept_mimetypes.best == (
        "application/json"
    )


def _error(exc: BridgeError):
    text = message_for(exc)
    if wants_json():
        body = exc.to_dict() | {"message": text}
        response = jsonify(body)
    else:
        response = make_response(
            render_template("signer/error.html", message=text, code=exc.code)
        )
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response, exc.status


def protect(blueprint: Blueprint) -> None:
    blueprint.before_request(_check_csrf)
    blueprint.after_request(_headers)
    blueprint.register_error_handler(BridgeError, _error)
    blueprint.context_processor(lambda: {"csrf_token": csrf_token})


def actor(name: str) -> Actor:
    return Actor(
        name=name,
        ip=request.remote_addr,
        user_agent=(request.user_agent.string or None),
    )
