"""Apps of the finance system: create, list, disable, rotate webhook secrets.

An app's request secret and webhook secrets are shown once, when made; the
database keeps them encrypted (``runtime().secrets``) because the bridge has
to recompute HMACs with them.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select

from ..errors import ConflictError, InvalidInputError, NotFoundError
from ..extensions import db
from ..models import ApiApp, WebhookSecret, utcnow
from ..runtime import runtime

__all__ = [
    "HEAD_OFFICE_TENANT",
    "AppSummary",
    "app_secret",
    "create_api_app",
    "disable_api_app",
    "find_app",
    "list_api_apps",
    "retire_webhook_secret",
    "rotate_webhook_secret",
    "webhook_secrets",
]

HEAD_OFFICE_TENANT = "*"
_TENANT = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class AppSummary:
    app_key: str
    name: str
    tenant: str
    head_office: bool
    callback_url: str | None
    created_at: datetime
    disabled: bool
    active_webhook_secrets: int

    def to_dict(self) -> dict:
        data = self.__dict__.copy()
        data["created_at"] = self.created_at.isoformat()
        return data


def _app_secret_context(app_key: str) -> str:
    return f"api_app:{app_key}"


def _webhook_secret_context(app_key: str) -> str:
    return f"webhook_secret:{app_key}"


def _new_app_key() -> str:
    """20 characters of base32 (100 random bits): easy to read out and type."""
    return base64.b32encode(secrets.token_bytes(15)).decode("ascii")[:20]


def _check(name: str, tenant: str, callback_url: str | None, head_office: bool) -> None:
    problems = {}
    if not name.strip() or len(name) > 128:
        problems["name"] = "is required (at most 128 characters)"
    if tenant == HEAD_OFFICE_TENANT and not head_office:
        problems["tenant"] = "'*' is for head office apps (--head-office)"
    elif tenant != HEAD_OFFICE_TENANT and not _TENANT.fullmatch(tenant):
        problems["tenant"] = "must be 1-64 of A-Z a-z 0-9 _ . - (a store code) or '*'"
    if callback_url is not None:
        parts = urlsplit(callback_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems["callback_url"] = "must be an http or https URL"
        elif len(callback_url) > 1024:
            problems["callback_url"] = "is longer than 1024 characters"
    if problems:
        raise InvalidInputError(
            "The app is not valid.", code="invalid_app", details=problems
        )


def _add_webhook_secret(app: ApiApp) -> str:
    secret = "whsec_" + secrets.token_urlsafe(32)
    sealed = runtime().secrets.seal(secret, _webhook_secret_context(app.app_key))
    db.session.add(WebhookSecret(app_id=app.id, secret_encrypted=sealed))
    return secret


def create_api_app(
    name: str,
    tenant: str,
    callback_url: str | None = None,
    head_office: bool = False,
) -> tuple[ApiApp, str]:
    """Make an app with its request secret and a first webhook secret.

    :param tenant: the dealer store's code, or ``*`` for a head-office app.
    :return: the app and its request secret (shown only now); the webhook
        secret is ``webhook_secrets(app)[0]``.
    """
    _check(name, tenant, callback_url, head_office)
    # The prefix keeps the secret from starting with "-" (a command line would
    # read it as an option) and lets secret scanners recognise it.
    secret = "sbsk_" + secrets.token_urlsafe(32)
    app_key = _new_app_key()
    app = ApiApp(
        name=name.strip(),
        tenant=tenant,
        app_key=app_key,
        secret_encrypted=runtime().secrets.seal(secret, _app_secret_context(app_key)),
        callback_url=callback_url,
        head_office=head_office,
    )
    db.session.add(app)
    db.session.flush()
    _add_webhook_secret(app)
    db.session.commit()
    return app, secret


def find_app(app_key: str) -> ApiApp:
    app = db.session.scalar(select(ApiApp).where(ApiApp.app_key == app_key))
    if app is None:
        raise NotFoundError(f"There is no app {app_key!r}.", code="unknown_app")
    return app


def app_secret(app: ApiApp) -> str:
    """The app's request secret, decrypted."""
    return runtime().secrets.open(
        app.secret_encrypted, _app_secret_context(app.app_key)
    )


def _active_secrets(app: ApiApp) -> list[WebhookSecret]:
    return list(
        db.session.scalars(
            select(WebhookSecret)
            .where(WebhookSecret.app_id == app.id, WebhookSecret.retired_at.is_(None))
            .order_by(WebhookSecret.id.desc())
        )
    )


def webhook_secrets(app: ApiApp) -> list[str]:
    """The app's active webhook secrets, newest first, decrypted."""
    box, context = runtime().secrets, _webhook_secret_context(app.app_key)
    return [box.open(row.secret_encrypted, context) for row in _active_secrets(app)]


def rotate_webhook_secret(app_key: str) -> str:
    """Add a new webhook secret; the older ones stay active until retired.

    Webhooks carry one signature per active secret, so the receiver can switch
    to the new secret at its own pace, then call :func:`retire_webhook_secret`.
    """
    secret = _add_webhook_secret(find_app(app_key))
    db.session.commit()
    return secret


def retire_webhook_secret(app_key: str, keep_latest: int = 1) -> int:
    """Retire all but the ``keep_latest`` newest active secrets; return how many."""
    if keep_latest < 1:
        raise InvalidInputError(
            "At least one webhook secret must stay active.", code="invalid_keep"
        )
    retired = _active_secrets(find_app(app_key))[keep_latest:]
    now = utcnow()
    for row in retired:
        row.retired_at = now
    db.session.commit()
    return len(retired)


def disable_api_app(app_key: str) -> None:
    """Refuse the app's requests from now on (its webhooks are still delivered)."""
    app = find_app(app_key)
    if app.disabled_at is not None:
        raise ConflictError(f"The app {app_key} is disabled already.", code="disabled")
    app.disabled_at = utcnow()
    db.session.commit()


def list_api_apps() -> list[AppSummary]:
    return [
        AppSummary(
            app_key=app.app_key,
            name=app.name,
            tenant=app.tenant,
            head_office=app.head_office,
            callback_url=app.callback_url,
            created_at=app.created_at,
            disabled=app.disabled_at is not None,
            active_webhook_secrets=len(_active_secrets(app)),
        )
        for app in db.session.scalars(select(ApiApp).order_by(ApiApp.id))
    ]
