"""``/op``: a dealer-store operator logs in by SMS and seals for the company."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)

from ..errors import AuthenticationError
from ..extensions import db
from ..models import Operator
from ..outbox.dispatch import dispatch_now
from ..services import operators
from ..sms import mask_mobile
from .security import actor, protect

__all__ = ["bp"]

bp = Blueprint("operator", __name__, url_prefix="/op", template_folder="templates")
protect(bp)


def _operator() -> Operator:
    operator = db.session.get(Operator, session.get("operator_id") or 0)
    if operator is None:
        raise AuthenticationError("Log in first.", code="login_required")
    return operator


@bp.errorhandler(AuthenticationError)
def _to_login(_exc):
    return redirect(url_for(".login"))


@bp.get("/login")
def login():
    return render_template("signer/op_login.html")


@bp.post("/login/code")
def login_code():
    mobile = str((request.get_json(silent=True) or {}).get("mobile", "")).strip()
    message_id = operators.send_login_code(mobile, request.remote_addr or "")
    if message_id is not None:
        dispatch_now(message_id)
    return jsonify({"sent": True, "mobile": mask_mobile(mobile)})


@bp.post("/login")
def login_submit():
    body = request.get_json(silent=True) or {}
    operator = operators.log_in(
        str(body.get("mobile", "")).strip(),
        str(body.get("code", "")),
        request.remote_addr or "",
    )
    session.clear()
    session["operator_id"] = operator.id
    return jsonify({"redirect": url_for(".contracts")})


@bp.post("/logout")
def logout():
    session.pop("operator_id", None)
    return redirect(url_for(".login"))


@bp.get("/")
def contracts():
    operator = _operator()
    return render_template(
        "signer/op_contracts.html",
        operator=operator,
        assignments=operators.assignments(operator),
    )


@bp.get("/signatories/<int:signatory_id>")
def assignment(signatory_id: int):
    operator = _operator()
    return render_template(
        "signer/op_seal.html",
        operator=operator,
        item=operators.find_assignment(operator, signatory_id),
        seals=operators.authorized_seals(operator),
        chosen=request.args.get("seal"),
    )


@bp.get("/signatories/<int:signatory_id>/preview/<seal_id>.jpg")
def preview(signatory_id: int, seal_id: str):
    image = operators.preview(_operator(), signatory_id, seal_id)
    return send_file(io.BytesIO(image), mimetype="image/jpeg")


@bp.post("/signatories/<int:signatory_id>/seal")
def seal(signatory_id: int):
    operator = _operator()
    operators.seal_contract(
        operator,
        signatory_id,
        request.form.get("seal", ""),
        actor(f"operator:{operator.mobile}"),
    )
    return render_template(
        "signer/op_sealed.html",
        operator=operator,
        item=operators.find_assignment(operator, signatory_id),
    )
