"""The head-office and dealer-store dashboard (``/dashboard``) and the public
verification page (``/verify``).

Server-rendered Jinja pages plus a few vanilla JS files served by the bridge,
under the signer pages' protections (:func:`bridge.signer.security.protect`:
strict CSP without inline scripts, CSRF on every POST). Charts are SVG drawn
on the server; live progress is a server-sent-events stream.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Register the pages (after :func:`bridge.signer.init_app`: its session)."""
    from . import verify_page, views

    app.register_blueprint(views.bp)
    app.register_blueprint(verify_page.bp)
