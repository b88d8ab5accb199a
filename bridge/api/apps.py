"""``/api/v1`` for apps: a signed ping; the outbox and jobs for head office."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..auth.requests import current_api_app, require_app, require_head_office
from ..errors import InvalidInputError
from ..outbox import listing
from ..outbox.dispatch import retry_dead
from ..scheduler import JOBS
from ..services.jobs import job_states

__all__ = ["bp"]

bp = Blueprint("api_apps", __name__, url_prefix="/api/v1")


@bp.get("/ping")
@require_app
def ping():
    """Check credentials and clock: who the bridge takes the caller for."""
    app = current_api_app()
    return jsonify(
        {"app": app.name, "tenant": app.tenant, "head_office": app.head_office}
    )


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        raise InvalidInputError(
            f"{name} must be a whole number.", code="invalid_page"
        ) from None


@bp.get("/outbox")
@require_app
def outbox():
    require_head_office()
    page = listing.list_messages(
        request.args.get("status") or None,
        page=_int_arg("page", 1),
        per_page=_int_arg("per_page", 50),
    )
    return jsonify(page.to_dict())


@bp.post("/outbox/<int:message_id>/retry")
@require_app
def retry(message_id: int):
    require_head_office()
    retry_dead(message_id)
    return jsonify(listing.show_message(message_id))


@bp.get("/jobs")
@require_app
def jobs():
    """Scheduled jobs: when each runs next, how its last run went, on which node."""
    require_head_office()
    return jsonify({"jobs": job_states(JOBS)})
