"""Sealbridge: e-signatures and company seals for finance and OA back offices."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the bridge.

    :param config: overrides applied last, after the defaults, the instance
        file ``sealbridge.toml`` and ``SEALBRIDGE_*`` variables. ``HOME`` picks
        the instance folder (default ``$SEALBRIDGE_HOME`` or ``./instance``).
    """
    from . import dashboard
    from . import signer as signer_pages
    from .api import apps as apps_api
    from .api import archive as archive_api
    from .api import contracts as contracts_api
    from .api import evidence as evidence_api
    from .api import health, oa_stamp, openapi, v1
    from .api import operators as operators_api
    from .api import pki as pki_api
    from .config import instance_home, load_config
    from .database import configure_sqlite, remove_sessions_safely, upgrade_database
    from .errors import register_error_handlers
    from .extensions import db
    from .runtime import Runtime
    from .soap import bp as soap_bp

    overrides = dict(config or {})
    home = instance_home(overrides.pop("HOME", None))
    settings = load_config(home, overrides)
    home.mkdir(parents=True, exist_ok=True)

    app = Flask(__name__, instance_path=str(home))
    app.config.update(settings)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings["DATABASE_URL"]
    url = settings["DATABASE_URL"]
    engine_options: dict = {}
    if ":memory:" not in url:
        engine_options["pool_size"] = settings["DATABASE_POOL_SIZE"]
    if url.startswith("postgresql"):
        # A connection the server dropped (a restart, a failover) is noticed
        # on checkout and replaced, instead of failing the next request.
        engine_options["pool_pre_ping"] = True
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    # Leave room for multipart framing around the largest accepted file.
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_UPLOAD_BYTES"] + 64 * 1024
    app.json.ensure_ascii = False
    if settings["PROXY_HOPS"]:  # per-IP limits and audit IPs see the client
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings["PROXY_HOPS"])
    db.init_app(app)
    remove_sessions_safely(app)
    app.extensions["sealbridge"] = Runtime(settings)
    register_error_handlers(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(pki_api.bp)
    app.register_blueprint(v1.bp)
    app.register_blueprint(apps_api.bp)
    app.register_blueprint(contracts_api.bp)
    app.register_blueprint(operators_api.bp)
    app.register_blueprint(evidence_api.bp)
    app.register_blueprint(archive_api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(openapi.docs_bp())
    app.register_blueprint(soap_bp)
    app.register_blueprint(oa_stamp.bp)
    signer_pages.init_app(app)
    dashboard.init_app(app)
    with app.app_context():
        configure_sqlite()
        upgrade_database()
    return app
