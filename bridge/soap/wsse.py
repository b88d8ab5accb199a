"""WS-Security UsernameToken for the OA's SOAP calls (OASIS UsernameToken 1.0).

``PasswordText`` compares the password in constant time; ``PasswordDigest``
is ``Base64(SHA-1(nonce + created + password))``. When a token carries a
nonce and a creation time (a digest always must), ``Created`` has to be
within the allowed clock skew and the nonce must be new: it is stored
(per user) and a second use is a replay.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from oa_plugin.soap import SoapFault

from ..extensions import db
from ..models import OaNonce, utcnow

__all__ = ["authenticate"]

WSSE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
)
WSU = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
)
PROFILE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
)
TEXT, DIGEST = f"{PROFILE}#PasswordText", f"{PROFILE}#PasswordDigest"


def _fail(code: str, message: str) -> SoapFault:
    return SoapFault(code, message)


def _created(text: str | None, skew: int) -> str:
    if not text:
        raise _fail("missing_created", "The UsernameToken has no wsu:Created.")
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _fail("invalid_created", f"wsu:Created {text!r} is not a time.") from None
    if moment.tzinfo is None:
        raise _fail("invalid_created", "wsu:Created needs a time zone (Z).")
    if abs(utcnow() - moment) > timedelta(seconds=skew):
        raise _fail("stale_token", "wsu:Created is too far from the bridge's clock.")
    return text.strip()


def _remember(username: str, nonce: str, skew: int) -> None:
    """Store the nonce; a duplicate is a replay. Old nonces are purged."""
    db.session.execute(
        delete(OaNonce).where(OaNonce.seen_at < utcnow() - timedelta(seconds=2 * skew))
    )
    db.session.add(OaNonce(username=username, nonce=nonce))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _fail("replayed_nonce", "This nonce was used before.") from None


def authenticate(header, users: dict[str, str], skew: int) -> str:
    """The user the SOAP ``header`` authenticates; a fault otherwise."""
    token = (
        None
        if header is None
        else header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    )
    if token is None:
        raise _fail("missing_security", "A WS-Security UsernameToken is required.")
    username = (token.findtext(f"{{{WSSE}}}Username") or "").strip()
    password_element = token.find(f"{{{WSSE}}}Password")
    if not username or password_element is None:
        raise _fail("unauthenticated", "The UsernameToken lacks a user or password.")
    password = password_element.text or ""
    kind = password_element.get("Type") or TEXT
    nonce_text = (token.findtext(f"{{{WSSE}}}Nonce") or "").strip()
    created_text = token.findtext(f"{{{WSU}}}Created")
    expected = users.get(username)
    if kind == DIGEST:
        created = _created(created_text, skew)
        try:
            nonce = base64.b64decode(nonce_text, validate=True)
        except (binascii.Error, ValueError):
            raise _fail("invalid_nonce", "The nonce is not base64.") from None
        if not nonce:
            raise _fail("invalid_nonce", "A password digest needs a nonce.")
        digest = base64.b64encode(
            hashlib.sha1(nonce + created.encode() + (expected or "").encode()).digest()
        ).decode()
        valid = expected is not None and hmac.compare_digest(digest, password.strip())
    elif kind == TEXT:
        if created_text is not None:
            _created(created_text, skew)
        valid = expected is not None and hmac.compare_digest(
            expected.encode(), password.encode()
        )
    else:
        raise _fail("unauthenticated", f"Unknown password type {kind!r}.")
    if not valid:
        raise _fail("unauthenticated", "Unknown OA user or wrong password.")
    if nonce_text:
        _remember(username, nonce_text[:128], skew)
    return username
