"""The Stamp button's bridge side: the stamp page and ``POST /api/v1/oa/stamp``.

The page is meant to be framed by the OA form, so it may only be framed by
the configured OA origins (``Content-Security-Policy: frame-ancestors``).
Both authenticate with the OA's short-lived signed ticket, not a cookie.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, make_response, render_template, request

from ..errors import BridgeError, InvalidInputError
from ..services.oa_preview import preview_png
from ..services.oa_settings import oa_settings
from ..services.oa_stamp import open_stamp, stamp

__all__ = ["bp"]

bp = Blueprint("oa_stamp", __name__)


def _framing(response):
    origins = " ".join(oa_settings()["frame_origins"]) or "'none'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self'; frame-ancestors {origins}"
    )
    return response


@bp.get("/oa/stamp")
def stamp_page():
    try:
        view = open_stamp(request.args.get("ticket", ""))
    except BridgeError as exc:
        page = render_template("oa_stamp.html", error=exc, view=None, origins=[])
        return _framing(_page(page, exc.status))
    page = render_template(
        "oa_stamp.html",
        error=None,
        view=view,
        ticket=request.args["ticket"],
        origins=oa_settings()["frame_origins"],
    )
    return _framing(_page(page, 200))


def _page(html: str, status: int):
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/oa/stamp/preview")
def stamp_preview():
    """PNG of the first document's page with the chosen seal where it will go."""
    png = preview_png(request.args.get("ticket", ""), request.args.get("seal", ""))
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api/v1/oa/stamp")
def stamp_api():
    """Seal the ticket's documents with the chosen seal; they go back to the OA."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("seal"), str):
        raise InvalidInputError(
            "Send JSON with the ticket and the seal.",
            code="invalid_input",
            details={"seal": "is required"},
        )
    task = stamp(str(body.get("ticket") or ""), body["seal"])
    return jsonify(
        {
            "taskId": task.id,
            "requestId": task.request_id,
            "node": task.node,
            "state": task.state,
            "seal": task.seal_name,
            "documents": task.document_ids.split(","),
        }
    )
