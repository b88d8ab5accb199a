"""``/dashboard``: login (SMS code or OA ticket) and the pages behind it.

Views are thin: who is logged in, parse, one query of
:mod:`bridge.services.dashboard` (which keeps each viewer within its tenants).
"""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    stream_with_context,
    url_for,
)

from ..errors import AuthenticationError, InvalidInputError
from ..extensions import db
from ..models import DashboardUser
from ..request_dates import read_day
from ..services import dashboard, dashboard_users, evidence
from ..services.archive import ArchiveQuery, search_archive
from ..services.labels import CHINA, china_time
from ..signer.security import protect
from ..signer.sms_login import login_fields, send_code
from .charts import bar_chart, duration_text
from .live import event_stream

__all__ = ["bp"]

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static",
)
protect(bp)
bp.add_app_template_filter(china_time)
bp.add_app_template_filter(duration_text)

PERIOD_DAYS = 30


def _user() -> DashboardUser:
    user = db.session.get(DashboardUser, session.get("dashboard_user") or 0)
    if user is None:
        raise AuthenticationError("Log in first.", code="login_required")
    return user


def _viewer() -> dashboard.Viewer:
    return dashboard.Viewer.of(_user())


@bp.errorhandler(AuthenticationError)
def _to_login(exc: AuthenticationError):
    if request.endpoint in ("dashboard.events", "dashboard.counts"):
        return jsonify(exc.to_dict()), exc.status  # scripts, not people
    return redirect(url_for(".login"))


def _start_session(user: DashboardUser) -> None:
    session.clear()  # a new session id for the new login
    session["dashboard_user"] = user.id


@bp.get("/login")
def login():
    return render_template("dashboard/login.html")


@bp.post("/login/code")
def login_code():
    return send_code(dashboard_users.send_login_code)


@bp.post("/login")
def login_submit():
    user = dashboard_users.log_in(*login_fields())
    _start_session(user)
    return jsonify({"redirect": url_for(".overview")})


@bp.get("/sso")
def single_sign_on():
    """Arrive from the OA with a signed, single-use login ticket."""
    try:
        user = dashboard_users.log_in_by_ticket(request.args.get("ticket", ""))
    except AuthenticationError:
        page = render_template(
            "dashboard/login.html", problem="OA单点登录失败：票据无效、已使用或已过期。"
        )
        return page, 401
    _start_session(user)
    return redirect(url_for(".overview"))


@bp.post("/logout")
def logout():
    session.pop("dashboard_user", None)
    return redirect(url_for(".login"))


@bp.get("/")
def overview():
    user = _user()
    viewer = dashboard.Viewer.of(user)
    return render_template(
        "dashboard/overview.html",
        user=user,
        counts=dashboard.status_counts(viewer),
        stuck=dashboard.stuck_contracts(viewer),
        # The stream starts where the page stands: nothing in between is lost.
        after=dashboard.last_event_id(viewer),
    )


@bp.get("/counts")
def counts():
    """The status counts as JSON, for the live page to refresh them."""
    return jsonify({s: n for s, _, n in dashboard.status_counts(_viewer())})


@bp.get("/cycle-times")
def cycle_times():
    user = _user()
    today = datetime.now(CHINA).date()
    last = read_day(request.args, "to", code="invalid_period") or today
    first = read_day(request.args, "from", code="invalid_period") or (
        last - timedelta(days=PERIOD_DAYS - 1)
    )
    if first > last:
        raise InvalidInputError("from is after to.", code="invalid_period")
    start = datetime.combine(first, time(), CHINA)
    end = datetime.combine(last + timedelta(days=1), time(), CHINA)
    times = dashboard.cycle_times(dashboard.Viewer.of(user), start, end)
    return render_template(
        "dashboard/cycle_times.html",
        user=user,
        first=first,
        last=last,
        charts=[
            ("按合同类别", bar_chart(times.by_category)),
            ("按经销商", bar_chart(times.by_dealer)),
            ("按完成周（趋势）", bar_chart(times.by_week)),
        ],
    )


@bp.route("/archive", methods=["GET", "POST"])
def archive():
    """Completed contracts found by borrower, ID number, number, category, dates.

    Posted, not a query string: an ID number must not land in access logs or
    the browser's history.
    """
    user = _user()
    args = request.form
    query = ArchiveQuery(
        borrower=args.get("borrower", "").strip() or None,
        id_number=args.get("id_number", "").strip() or None,
        contract_number=args.get("contract_number", "").strip() or None,
        category=args.get("category", "").strip() or None,
        status=args.get("status", "").strip() or None,
        completed_from=read_day(args, "from", code="invalid_period"),
        completed_to=read_day(args, "to", code="invalid_period"),
    )
    searched = any(vars(query).values())
    result = search_archive(dashboard.Viewer.of(user), query) if searched else None
    return render_template(
        "dashboard/archive.html", user=user, args=args, result=result
    )


@bp.get("/contracts/<contract_id>/evidence-report")
def evidence_report(contract_id: str):
    """The sealed 出证报告 of a contract the viewer may see (others: not found)."""
    contract, pdf = evidence.evidence_report(_viewer(), contract_id)
    return send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{contract.biz_id}-出证报告.pdf",
    )


@bp.get("/deliveries")
def deliveries():
    user = _user()
    return render_template(
        "dashboard/deliveries.html",
        user=user,
        messages=dashboard.failed_deliveries(dashboard.Viewer.of(user)),
        retried=request.args.get("retried"),
    )


@bp.post("/deliveries/<int:message_id>/retry")
def retry(message_id: int):
    dashboard.retry_delivery(_viewer(), message_id)
    return redirect(url_for(".deliveries", retried=message_id))


def _cursor(viewer: dashboard.Viewer) -> int:
    text = request.headers.get("Last-Event-ID") or request.args.get("after")
    if text is None or not text.strip():
        return dashboard.last_event_id(viewer)
    try:
        return max(int(text), 0)
    except ValueError:
        raise InvalidInputError(
            "The event cursor is a number.", code="invalid_cursor"
        ) from None


@bp.get("/events")
def events():
    """Server-sent events of the viewer's contracts (live progress)."""
    viewer = _viewer()
    cursor = _cursor(viewer)
    db.session.close()
    return Response(
        stream_with_context(event_stream(viewer, cursor)),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
