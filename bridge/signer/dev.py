"""``/dev/sms``: the development gateway's inbox, in demo mode only (else 404)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from ..sms.dev import latest_messages
from .security import protect

__all__ = ["bp"]

bp = Blueprint("dev", __name__, url_prefix="/dev", template_folder="templates")
protect(bp)


@bp.get("/sms")
def sms_inbox():
    if not current_app.config["DEMO"]:
        abort(404)
    return render_template(
        "signer/dev_sms.html",
        messages=latest_messages(mobile=request.args.get("mobile") or None),
    )
