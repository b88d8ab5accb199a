"""Configuration: defaults, then the instance file, then ``SEALBRIDGE_*`` variables.

The instance folder (``SEALBRIDGE_HOME``, default ``./instance``) holds the
embedded database, the encrypted keys and the stored documents, so one
variable moves a whole deployment.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["DEFAULTS", "INSTANCE_FILE", "instance_home", "load_config"]

INSTANCE_FILE = "sealbridge.toml"

DEFAULTS: dict[str, Any] = {
    # SQLAlchemy URL; None means the SQLite file in the instance folder.
    "DATABASE_URL": None,
    # Connections each process keeps open. A request may hold two at once (its
    # session, and the one that records its nonce), so at least 2 × threads.
    "DATABASE_POOL_SIZE": 20,
    # Base64 of 32 random bytes. None in the embedded default: one is generated
    # into the instance folder (with a warning) so keys are never plain on disk.
    "MASTER_KEY": None,
    # Algorithm of the embedded root and issuing CAs: "rsa3072" or "ecdsa-p256".
    "PKI_KEY_ALGORITHM": "rsa3072",
    # Algorithm of newly created seal keys: "rsa2048", "rsa3072" or "ecdsa-p256".
    "SEAL_KEY_ALGORITHM": "rsa2048",
    # Algorithm of a person's one-use event key: an ECDSA P-256 key takes a
    # millisecond to make where RSA-2048 takes a tenth of a second or more,
    # and pdfsig, pyHanko and Adobe Reader all validate it.
    "EVENT_KEY_ALGORITHM": "ecdsa-p256",
    # Where certificates say their CRLs are published.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # External RFC 3161 authorities tried in order; empty means the embedded one.
    "TSA_URLS": [],
    "TSA_TIMEOUT_SECONDS": 10,
    "TSA_ATTEMPTS": 3,
    # Extra trust anchors (PEM files) for verification, beside the embedded root.
    "TRUST_ROOT_FILES": [],
    "MAX_UPLOAD_BYTES": 20 * 1024 * 1024,
    "MAX_IMAGE_BYTES": 5 * 1024 * 1024,
    # The seal a company that signs automatically (the finance company) uses,
    # and per contract category overrides, e.g. {"lease_contract": "..."}.
    "AUTO_SEAL": "重汽汽车金融有限公司合同专用章",
    "AUTO_SEALS": {},
    # The finance company as its documents name it (lender, lessor).
    "FINANCE_COMPANY": {
        "name": "重汽汽车金融有限公司",
        "credit_code": "91370100MA3D8N7Q2L",
    },
    "CREDIT_AUTHORIZATION_VALID_DAYS": 365,
    # The seal on evidence reports (出证报告); None means AUTO_SEAL.
    "EVIDENCE_SEAL": None,
    # Completed contracts are archived at completion and kept this many years.
    "ARCHIVE_RETENTION_YEARS": 30,
    # DOCX → PDF: "unoserver" (warm LibreOffice pool), "soffice" (cold, one
    # LibreOffice per document) or "docx2pdf" (Microsoft Word, Windows/macOS).
    "CONVERTER": "unoserver",
    # host:port of running unoservers to use instead of a local pool.
    "CONVERSION_WORKERS": [],
    # Local LibreOffice workers; None means one per core.
    "CONVERSION_POOL_SIZE": None,
    "CONVERSION_TIMEOUT_SECONDS": 30,
    # Callers that may wait for a busy pool before 503; None means 2 × workers.
    "CONVERSION_QUEUE_SIZE": None,
    # A worker is replaced after this many conversions (LibreOffice grows).
    "CONVERSION_RESTART_AFTER": 200,
    # Where documents are kept: "local" (<home>/documents) or "s3" (the S3 table:
    # bucket, endpoint_url, prefix, region, ...; see bridge.documents.s3_storage).
    "STORAGE": "local",
    "S3": {},
    # Webhooks (the outbox): per-request timeout, then retries after
    # min(BACKOFF × 2^(attempt−1), MAX_BACKOFF) seconds, dead after MAX_ATTEMPTS.
    "WEBHOOK_TIMEOUT_SECONDS": 10,
    "OUTBOX_BACKOFF_SECONDS": 2,
    "OUTBOX_MAX_BACKOFF_SECONDS": 3600,
    "OUTBOX_MAX_ATTEMPTS": 80,
    # How often `sealbridge serve` looks for due webhooks.
    "OUTBOX_POLL_SECONDS": 2,
    # Automatic 催签: the first reminder this long after sending, then again at
    # this cadence, at most REMINDER_MAX times; none in the quiet hours
    # [start, end) of China time. Checked every REMINDER_CHECK_SECONDS.
    "REMINDER_FIRST_AFTER_HOURS": 24,
    "REMINDER_EVERY_HOURS": 24,
    "REMINDER_MAX": 3,
    "REMINDER_QUIET_HOURS": [21, 8],
    "REMINDER_CHECK_SECONDS": 600,
    # Completed contracts get a new archive timestamp this long before the
    # certificate of their last one expires.
    "ARCHIVE_TIMESTAMP_RENEW_DAYS": 180,
    # Delivered outbox messages are kept this long (for operators), then removed.
    "OUTBOX_RETENTION_DAYS": 90,
    # The Weaver e-cology OA (docs/oa-integration.md); keys left out keep
    # the defaults of bridge.services.oa_settings.DEFAULTS.
    "OA": {},
    # Demo mode (SEALBRIDGE_DEMO=1): /dev/sms shows what the dev gateway stored.
    "DEMO": False,
    # SMS: "dev" (stored and logged, nothing sent) or "http" (a generic gateway:
    # the body template gets $mobile and $text; auth hmac, bearer or none).
    "SMS_GATEWAY": "dev",
    "SMS_SIGNATURE": "【重汽金融】",
    "SMS_HTTP_URL": "",
    "SMS_HTTP_BODY_TEMPLATE": '{"mobile": "$mobile", "content": "$text"}',
    "SMS_HTTP_CONTENT_TYPE": "application/json",
    "SMS_HTTP_AUTH": "hmac",
    "SMS_HTTP_SECRET": None,
    "SMS_HTTP_TIMEOUT_SECONDS": 10,
    # Real-name verification: "sandbox" (format checks, and the people listed
    # in IDENTITY_SANDBOX_PEOPLE {"<id number>": {"name", "mobile"}} if any) or
    # "http" (a three-element verification service).
    "IDENTITY_PROVIDER": "sandbox",
    "IDENTITY_SANDBOX_PEOPLE": {},
    "IDENTITY_HTTP_URL": "",
    "IDENTITY_HTTP_AUTH": "bearer",
    "IDENTITY_HTTP_SECRET": None,
    "IDENTITY_HTTP_TIMEOUT_SECONDS": 10,
    # Signing links of contracts without a deadline expire after this many days.
    "SIGNING_LINK_DAYS": 30,
    # SMS one-time codes: lifetime, wrong codes before a lock, the lock, and
    # how often one may be sent.
    "OTP_TTL_SECONDS": 300,
    "OTP_MAX_FAILURES": 5,
    "OTP_LOCK_SECONDS": 900,
    "OTP_MIN_INTERVAL_SECONDS": 60,
    "OTP_MAX_PER_HOUR": 5,
    # The dashboard's live stream: how often it looks for new events, and how
    # long one connection lasts before the browser reconnects.
    "DASHBOARD_POLL_SECONDS": 1,
    "DASHBOARD_STREAM_SECONDS": 60,
    # Per client address and hour, across mobiles: operator login codes asked
    # for, and login attempts.
    "LOGIN_CODES_PER_IP_PER_HOUR": 20,
    "LOGIN_TRIES_PER_IP_PER_HOUR": 30,
    # Per client address and hour: verifications (public page and API).
    "VERIFICATIONS_PER_IP_PER_HOUR": 60,
    # Reverse proxies in front of the bridge whose X-Forwarded-For is trusted
    # (0: the client is the peer), so per-IP limits see the real client.
    "PROXY_HOPS": 0,
}


def instance_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The instance folder: ``explicit``, ``$SEALBRIDGE_HOME`` or ``./instance``."""
    raw = explicit or os.environ.get("SEALBRIDGE_HOME") or "instance"
    return Path(raw).expanduser().resolve()


def _from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Read ``SEALBRIDGE_<KEY>`` for every known key; lists are comma-separated."""
    values: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        raw = environ.get(f"SEALBRIDGE_{key}")
        if raw is None:
            continue
        if isinstance(default, dict):
            values[key] = json.loads(raw)
        elif isinstance(default, list):
            values[key] = [item.strip() for item in raw.split(",") if item.strip()]
        elif isinstance(default, int):
            values[key] = int(raw)
        else:
            values[key] = raw
    return values


def load_config(
    home: Path, overrides: dict[str, Any] | None = None, environ=None
) -> dict[str, Any]:
    """Merge defaults, ``<home>/sealbridge.toml``, the environment and ``overrides``."""
    config = dict(DEFAULTS)
    instance_file = home / INSTANCE_FILE
    if instance_file.exists():
        with instance_file.open("rb") as handle:
            config.update({k.upper(): v for k, v in tomllib.load(handle).items()})
    config.update(_from_environment(os.environ if environ is None else environ))
    config.update(overrides or {})
    config["HOME"] = str(home)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{home / 'sealbridge.db'}"
    return config
