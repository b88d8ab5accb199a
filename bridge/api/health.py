"""``GET /health`` for load balancers and orchestrators: is this node usable?

Unauthenticated and cheap: one round trip to the database. 503 when the
database cannot be reached, so a balancer takes the node out of rotation.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from ..extensions import db

__all__ = ["bp"]

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    db.session.execute(text("SELECT 1"))  # a failure answers 503 database_unavailable
    return jsonify({"status": "ok"})
