"""``/verify``: anyone uploads a signed PDF and reads the verdict in Chinese.

No login. The checks are :func:`bridge.services.verification.verify` (the
deployment's trust anchors, no network); every problem with the upload is
shown on the page itself with the status code of the API's error.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import BridgeError, FileTooLargeError, InvalidInputError
from ..services import verification
from ..signer.security import protect

__all__ = ["bp"]

bp = Blueprint("verify_page", __name__, url_prefix="/verify")
protect(bp)

PROBLEMS = {
    "file_missing": "请选择要验证的PDF文件。",
    "file_too_large": "文件过大，最大{limit}。",
    "invalid_pdf": "该文件不是有效的PDF文件，无法验证。",
    "encrypted_pdf": "该PDF已加密，无法验证，请上传未加密的文件。",
    "csrf_failed": "页面已过期，请刷新后重新上传。",
    "rate_limited": "验证次数过多，请一小时后再试。",
}


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g}MB"
    return f"{count // 1024}KB"


def _page(problem: BridgeError | None = None, report=None, name: str | None = None):
    limit = _size(current_app.config["MAX_UPLOAD_BYTES"])
    text = None
    if problem is not None:
        text = PROBLEMS.get(problem.code, problem.message).format(limit=limit)
    page = render_template(
        "dashboard/verify.html",
        problem=text,
        code=problem.code if problem else None,
        report=report,
        name=name,
        limit=limit,
    )
    return page, problem.status if problem else 200


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    return _page(FileTooLargeError("The file is too large."))


@bp.errorhandler(BridgeError)
def _problem(exc: BridgeError):
    return _page(exc)


@bp.get("/")
def form():
    return _page()


@bp.post("/")
def check():
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    if not data:
        raise InvalidInputError("Choose a PDF file.", code="file_missing")
    report = verification.verify_for_anyone(data, request.remote_addr)
    return _page(report=report, name=upload.filename)
