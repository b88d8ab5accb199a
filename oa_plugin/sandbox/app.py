"""The e-cology sandbox as a WSGI app: SOAP services, form pages, file downloads.

URLs follow e-cology's: ``/services/<Name>`` (``?wsdl`` for the WSDL),
``/workflow/request/ViewRequest.jsp?requestid=N`` for the form and
``/weaver/weaver.file.FileDownload?fileid=N`` for attachment files. A cookie
set by ``/login.jsp?userid=N`` stands in for the OA login.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

from flask import (
    Flask,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
)

from ..soap import SoapService
from ..ticket import make_login_ticket, make_ticket
from .actions import BridgeActions
from .engine import ActionResult, Engine
from .services import doc_service, workflow_service
from .store import Store
from .workflows import USERS, WORKFLOWS

__all__ = ["SandboxConfig", "create_sandbox"]

STATIC = Path(__file__).parent.parent / "static"


@dataclass
class SandboxConfig:
    folder: Path
    passwords: dict[str, str] = field(
        default_factory=lambda: {login: "oa-pass" for login, _ in USERS.values()}
    )
    session_seconds: float = 1800
    bridge_url: str | None = None
    """Where node actions send their SOAP requests and the Stamp button points."""
    bridge_user: str = "ecology"
    bridge_password: str = "ecology-secret"
    ticket_secret: str = "change-me"
    max_body_bytes: int = 30 * 1024 * 1024


def _no_bridge(node, _request) -> ActionResult:
    return ActionResult(error=f"节点动作 {node.action}：未配置电子签章服务")


def create_sandbox(config: SandboxConfig) -> Flask:
    store = Store(Path(config.folder))
    runner = (
        BridgeActions(config.bridge_url, config.bridge_user, config.bridge_password)
        if config.bridge_url
        else _no_bridge
    )
    engine = Engine(store, runner)
    services: dict[str, SoapService] = {
        "WorkflowService": workflow_service(engine),
        "DocService": doc_service(
            engine, store, config.passwords, config.session_seconds
        ),
    }
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.extensions["ecology"] = engine

    @app.get("/services/")
    def service_list():
        items = "".join(
            f'<li><a href="{name}?wsdl">{name}</a></li>' for name in services
        )
        return f"<html><body><h1>Available services</h1><ul>{items}</ul></body></html>"

    @app.route("/services/<name>", methods=["GET", "POST"])
    def soap(name: str):
        service = services.get(name)
        if service is None:
            abort(404)
        if request.method == "GET":
            if "wsdl" not in {key.lower() for key in request.args}:
                abort(405)
            text = service.wsdl_text(request.base_url)
            return Response(text, content_type="text/xml; charset=UTF-8")
        status, body = service.handle(request.get_data(cache=False))
        return Response(body, status=status, content_type="text/xml; charset=UTF-8")

    @app.get("/login.jsp")
    def login():
        user = request.args.get("userid", type=int)
        if user not in USERS:
            abort(400)
        target = request.args.get("next") or "/"
        response = make_response(redirect(target if target.startswith("/") else "/"))
        response.set_cookie("ecology_userid", str(user), httponly=True)
        return response

    def current_user() -> int | None:
        user = request.cookies.get("ecology_userid", type=int)
        return user if user in USERS else None

    @app.get("/")
    def desk():
        """The user's desk: log in as anyone, start a workflow, open requests."""
        rows = store.query("SELECT id FROM requests ORDER BY id DESC LIMIT 50")
        return render_template(
            "desk.html",
            user=current_user(),
            users=USERS,
            workflows=WORKFLOWS.values(),
            requests=[engine.view(row["id"]) for row in rows],
        )

    @app.get("/sealbridge/dashboard")
    def open_dashboard():
        """Single sign-on: the OA signs a one-time login ticket for the user."""
        user = current_user()
        if user is None or not config.bridge_url:
            abort(403)
        ticket = make_login_ticket(config.ticket_secret, user)
        return redirect(f"{config.bridge_url}/dashboard/sso?ticket={ticket}")

    @app.post("/workflow/request/AddRequest.jsp")
    def add_request():
        user = current_user()
        flow = WORKFLOWS.get(request.form.get("workflowid", type=int))
        if user is None or flow is None:
            abort(400)
        items = [
            {"fieldName": f.name, "fieldValue": request.form.get(f.name, "")}
            for f in flow.fields
            if f.kind != "attachment"
        ]
        for f in flow.fields:
            upload = request.files.get(f.name)
            if f.kind == "attachment" and upload and upload.filename:
                content = base64.b64encode(upload.read()).decode()
                items.append(
                    {
                        "fieldName": f.name,
                        "fieldType": f"base64:{upload.filename}",
                        "fieldValue": content,
                    }
                )
        record = {"recordOrder": 0, "workflowRequestTableFields": items}
        request_id = engine.create_request(
            {
                "requestName": request.form.get("requestname") or flow.name,
                "workflowBaseInfo": {"workflowId": flow.id},
                "workflowMainTableInfo": {"requestRecords": [record]},
            },
            user,
        )
        if request_id < 0:
            abort(400, f"doCreateWorkflowRequest answered {request_id}")
        return redirect(f"/workflow/request/ViewRequest.jsp?requestid={request_id}")

    @app.get("/workflow/request/ViewRequest.jsp")
    def view_request():
        request_id = request.args.get("requestid", type=int)
        if request_id is None or engine.request(request_id) is None:
            abort(404)
        view = engine.view(request_id)
        user = current_user()
        stamp_ticket = None
        if config.bridge_url and view["node"].stamp and user == view["node"].operator:
            stamp_ticket = make_ticket(
                config.ticket_secret, user, request_id, view["node"].name
            )
        docs = {
            name: [engine.get_doc(int(i)) for i in value.split(",") if i.isdigit()]
            for name, value in view["fields"].items()
            if value and view["workflow"].field(name).kind == "attachment"
        }
        return render_template(
            "form.html",
            view=view,
            docs=docs,
            users=USERS,
            user=user,
            bridge_url=config.bridge_url,
            stamp_ticket=stamp_ticket,
        )

    @app.post("/workflow/request/RequestOperation.jsp")
    def operate():
        request_id = request.form.get("requestid", type=int)
        kind = request.form.get("type", "submit")
        user = current_user()
        if request_id is None or user is None:
            abort(400)
        engine.submit(request_id, user, kind, request.form.get("remark", ""), None)
        return redirect(f"/workflow/request/ViewRequest.jsp?requestid={request_id}")

    @app.get("/weaver/weaver.file.FileDownload")
    def download():
        row = engine.file(request.args.get("fileid", type=int) or 0)
        if row is None:
            abort(404)
        return Response(
            row["content"],
            content_type=row["filetype"] or "application/octet-stream",
            headers={"Content-Disposition": "inline"},
        )

    @app.get("/sealbridge/stamp.js")
    def stamp_script():
        return Response(
            (STATIC / "stamp.js").read_bytes(), content_type="text/javascript"
        )

    return app
