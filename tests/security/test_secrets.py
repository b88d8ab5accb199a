"""Secrets at rest and in logs.

Private keys are files of ciphertext: no PEM, no DER structure, and none of
the key's own numbers in the bytes. The log of the whole test session (every
record from every test, gathered by tests/log_watch.py) holds no app or
webhook secret, no master key, no SMS code text, no private key and no
unmasked ID number; that test runs last in the session.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bridge.pki.keystore import MASTER_KEY_FILE
from bridge.runtime import runtime
from tests import log_watch
from tests.instances import app_context_of


def _number_bytes(key) -> list[bytes]:
    """The secret numbers of ``key`` as big-endian bytes."""
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.private_numbers()
        values = [numbers.d, numbers.p, numbers.q]
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        values = [key.private_numbers().private_value]
    return [v.to_bytes((v.bit_length() + 7) // 8, "big") for v in values]


def test_private_keys_on_disk_are_ciphertext(seeded_home):
    files = sorted((seeded_home / "keys").glob("*.key"))
    assert len(files) >= 8  # root, issuing CA, TSA and five seals
    with app_context_of(seeded_home):
        store = runtime().keystore
        for path in files:
            data = path.read_bytes()
            key = store.load(f"file:{path.stem}")
            assert b"-----BEGIN" not in data
            assert b"PRIVATE KEY" not in data
            with pytest.raises(ValueError, match="Could not deserialize"):
                serialization.load_der_private_key(data, password=None)
            der = key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            assert der[:16] not in data
            for secret in _number_bytes(key):
                assert secret[:16] not in data, path.name


def test_no_private_key_in_clear_anywhere_in_an_instance(seeded_home):
    for path in seeded_home.rglob("*"):
        if path.is_file() and path.name != MASTER_KEY_FILE:
            assert b"PRIVATE KEY-----" not in path.read_bytes(), path


def _master_keys(base: Path) -> set[str]:
    """Every master key the session's instances generated, as text and raw."""
    found = set()
    for path in base.rglob(MASTER_KEY_FILE):
        text = path.read_text().strip()
        found.add(text)
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        found |= {raw.hex(), base64.b64encode(raw).decode()}
    return found


def test_nothing_secret_was_logged(tmp_path_factory):
    """Runs last (tests/security/conftest.py): the whole session's log."""
    masters = _master_keys(tmp_path_factory.getbasetemp())
    assert masters, "no instance master key found to look for"
    leaks = log_watch.leaks(masters)
    assert not leaks, "\n".join(leaks)
