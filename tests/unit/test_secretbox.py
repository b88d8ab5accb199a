"""Secrets in the database: encrypted, and bound to the row they belong to."""

from __future__ import annotations

import secrets

import pytest

from bridge.errors import ConfigurationError
from bridge.pki.secretbox import SecretBox


def test_round_trip_with_fresh_nonces():
    box = SecretBox(secrets.token_bytes(32))
    first = box.seal("s3cret-值", "api_app:K1")
    assert first != box.seal("s3cret-值", "api_app:K1")
    assert b"s3cret" not in first
    assert box.open(first, "api_app:K1") == "s3cret-值"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda box, blob: box.open(blob, "api_app:K2"),  # another app's row
        lambda box, blob: SecretBox(secrets.token_bytes(32)).open(blob, "api_app:K1"),
        lambda box, blob: box.open(blob[:-1] + bytes([blob[-1] ^ 1]), "api_app:K1"),
        lambda box, blob: box.open(b"plain text", "api_app:K1"),
    ],
)
def test_wrong_context_key_or_damage_is_an_error(tamper):
    box = SecretBox(secrets.token_bytes(32))
    blob = box.seal("s3cret", "api_app:K1")
    with pytest.raises(ConfigurationError):
        tamper(box, blob)
