"""The request-signing scheme of ``/api/v1``, shared by the bridge and its clients.

No Flask here: the same functions verify requests in the bridge and sign them
in tests and tools, so both sides cannot drift apart. docs/api.md states the
scheme for implementers in other languages; a unit test recomputes its example.

String to sign (lines joined by ``\\n``)::

    METHOD            upper case
    PATH              exactly as sent, percent-encoding and all
    CANONICAL_QUERY   k=v pairs sorted by key then value, RFC 3986-encoded, joined by &
    TIMESTAMP         the X-SB-Timestamp header, Unix seconds
    NONCE             the X-SB-Nonce header
    BODY_SHA256       lower-case hex SHA-256 of the raw body bytes
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote, unquote_to_bytes

__all__ = [
    "APP_KEY_HEADER",
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "canonical_query",
    "sign",
    "string_to_sign",
]

APP_KEY_HEADER = "X-SB-App-Key"
TIMESTAMP_HEADER = "X-SB-Timestamp"
NONCE_HEADER = "X-SB-Nonce"
SIGNATURE_HEADER = "X-SB-Signature"

_UNRESERVED = "-._~"  # with letters and digits, which quote() always keeps


def _encode(raw: str) -> str:
    """Percent-decode (``+`` is a space, as in forms), then RFC 3986-encode."""
    return quote(unquote_to_bytes(raw.replace("+", " ")), safe=_UNRESERVED)


def canonical_query(query: str) -> str:
    """The query string in canonical form: pairs encoded, sorted, joined by ``&``.

    Whatever encoding the client used (``%20`` or ``+``, ``%7E`` or ``~``,
    upper- or lower-case escapes) gives the same canonical form. A parameter
    without ``=`` has an empty value; empty pieces (``a=1&&b=2``) are ignored.
    Sorting is by the encoded key, then the encoded value, in byte order.
    """
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        pairs.append((_encode(key), _encode(value)))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def string_to_sign(
    method: str, path_with_query: str, timestamp: int | str, nonce: str, body: bytes
) -> bytes:
    """The bytes a request's signature is computed over (UTF-8)."""
    path, _, query = path_with_query.partition("?")
    lines = (
        method.upper(),
        path,
        canonical_query(query),
        str(timestamp),
        nonce,
        hashlib.sha256(body).hexdigest(),
    )
    return "\n".join(lines).encode()


def sign(
    secret: str,
    method: str,
    path_with_query: str,
    timestamp: int | str,
    nonce: str,
    body: bytes,
) -> str:
    """The ``X-SB-Signature`` value: base64 of HMAC-SHA256(secret, string to sign)."""
    message = string_to_sign(method, path_with_query, timestamp, nonce, body)
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
