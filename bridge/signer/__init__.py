"""Pages for people: signers on their phones (``/s/<token>``), dealer operators
(``/op``) and, in demo mode, the development SMS inbox (``/dev/sms``).

Server-rendered Jinja pages with a few small vanilla JS files served by the
bridge itself (no CDN: works on an intranet and in WeChat's in-app browser),
under a strict Content-Security-Policy without inline scripts, CSRF tokens on
every POST and HttpOnly, SameSite cookies (Secure when ``PUBLIC_URL`` is https).
"""

from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    from ..services.identities import derived_key
    from . import dev, operator_views, views

    with app.app_context():
        app.secret_key = derived_key("web-session")
    app.config.update(
        SESSION_COOKIE_NAME="sb_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["PUBLIC_URL"].startswith("https://"),
    )
    for blueprint in (views.bp, operator_views.bp, dev.bp):
        app.register_blueprint(blueprint)
