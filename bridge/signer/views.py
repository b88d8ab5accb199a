"""``/s/<token>``: a person signs on the phone (thin views over services.signer)."""

from __future__ import annotations

import base64
import binascii
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

from ..errors import ConflictError, InvalidInputError
from ..outbox.dispatch import dispatch_now
from ..services import signer
from ..signing.drawn_signature import MAX_BYTES
from ..sms import mask_mobile
from .security import actor, protect

__all__ = ["bp"]

bp = Blueprint(
    "signer",
    __name__,
    url_prefix="/s",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
protect(bp)

_STATUS_TEXT = {
    "COMPLETE": "已完成",
    "REJECTED": "已拒签",
    "RECALLED": "已撤回",
    "EXPIRED": "已过期",
    "INVALIDATED": "已作废",
    "SIGNING": "签署中",
}


def _actor(view: signer.SignerView):
    return actor(f"signer:{view.signatory.id}")


def _verified_here(view: signer.SignerView) -> bool:
    """Verified in the database *and* in this browser (the link may be forwarded)."""
    return view.identity is not None and view.signatory.id in session.get(
        "verified", []
    )


def _page(name: str, view: signer.SignerView):
    return render_template(
        f"signer/{name}.html",
        view=view,
        token=request.view_args["token"],
        mobile=mask_mobile(view.signatory.mobile or ""),
        status_text=_STATUS_TEXT.get(view.contract.status, view.contract.status),
    )


@bp.get("/<token>")
def landing(token: str):
    view = signer.open_link(token)
    if view.signatory.status == "SIGNED":
        return redirect(url_for(".done", token=token))
    return _page("landing", view)


@bp.route("/<token>/identity", methods=["GET", "POST"])
def identity(token: str):
    view = signer.open_link(token)
    if request.method == "POST":
        view = signer.verify_identity(
            token,
            request.form.get("name", ""),
            request.form.get("id_number", ""),
            _actor(view),
        )
        session["verified"] = [*session.get("verified", []), view.signatory.id][-20:]
        return redirect(url_for(".document", token=token))
    return _page("identity", view)


def _verified_view(token: str) -> signer.SignerView:
    view = signer.open_link(token)
    if not _verified_here(view):
        raise ConflictError("Verify your identity first.", code="identity_required")
    return view


@bp.get("/<token>/document")
def document(token: str):
    view = signer.open_link(token)
    if not _verified_here(view):
        return redirect(url_for(".identity", token=token))
    return _page("document", view)


@bp.get("/<token>/pages/<int:number>.jpg")
def page(token: str, number: int):
    view = _verified_view(token)
    response = send_file(io.BytesIO(signer.page_image(view, number)), "image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/<token>/sign")
def sign_page(token: str):
    view = signer.open_link(token)
    if not _verified_here(view):
        return redirect(url_for(".identity", token=token))
    return _page("sign", view)


@bp.post("/<token>/code")
def send_code(token: str):
    view = _verified_view(token)
    message_id = signer.send_sign_code(token, _actor(view))
    dispatch_now(message_id)
    return jsonify({"sent": True, "mobile": mask_mobile(view.signatory.mobile)})


def _png(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix) or len(data_url) > MAX_BYTES * 4 // 3 + 64:
        raise InvalidInputError("Sign on the pad.", code="empty_signature")
    try:
        return base64.b64decode(data_url[len(prefix) :], validate=True)
    except binascii.Error:
        raise InvalidInputError(
            "The signature is not valid base64.", code="invalid_signature"
        ) from None


@bp.post("/<token>/sign")
def sign(token: str):
    view = _verified_view(token)
    body = request.get_json(silent=True) or {}
    signer.sign(
        token,
        _png(str(body.get("signature", ""))),
        str(body.get("code", "")),
        _actor(view),
    )
    return jsonify({"redirect": url_for(".done", token=token)})


@bp.get("/<token>/done")
def done(token: str):
    return _page("done", signer.open_link(token))


@bp.get("/<token>/download")
def download(token: str):
    view = _verified_view(token)
    return send_file(
        io.BytesIO(signer.signed_pdf(view)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{view.contract.subject}.pdf",
    )


@bp.route("/<token>/reject", methods=["GET", "POST"])
def reject(token: str):
    view = signer.open_link(token)
    if request.method == "POST":
        view = signer.reject(token, request.form.get("reason", ""), _actor(view))
        return render_template("signer/rejected.html", view=view)
    return _page("reject", view)
