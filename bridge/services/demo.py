"""Demo data for the embedded default: seals, apps, users, the OA sandbox's wiring.

The apps' secrets are shown once by the API, so the demo keeps them in
``<home>/demo-apps.json`` (mode 0600) for the example client to use.
"""

from __future__ import annotations

import json
import os
import secrets

from sqlalchemy import select

from ..config import INSTANCE_FILE
from ..extensions import db
from ..models import DashboardUser, Operator
from ..runtime import runtime
from .apps import create_api_app, list_api_apps, webhook_secrets
from .dashboard_users import add_user
from .operators import add_operator, authorize_seal
from .seals import create_seal, list_seals

__all__ = [
    "DEMO_APPS",
    "DEMO_DASHBOARD_USERS",
    "DEMO_OPERATOR",
    "DEMO_SEALS",
    "seed_demo",
]

DEMO_SEALS = (
    ("中国重型汽车集团有限公司", "official"),
    ("中国重型汽车集团有限公司", "contract"),
    ("重汽汽车金融有限公司", "contract"),
    ("重汽汽车金融有限公司", "finance"),
    ("济南重汽商用车销售服务有限公司", "contract"),
)
DEMO_APPS = (
    ("济南重汽商用车销售服务有限公司", "JN001", False),
    ("总部", "*", True),
)
DEMO_OPERATOR = (
    "13700000001",
    "赵六",
    "济南重汽商用车销售服务有限公司",
    "91370100MA3C5XK21P",  # as in the loan contract template's example
)
"""Logs in at /op (codes at /dev/sms) and seals with the dealer's contract seal."""
DEMO_DASHBOARD_USERS = (
    ("13600000001", "张总", "head_office", None, 6),
    ("13600000002", "李店长", "dealer", "JN001", None),
)
"""Log in at /dashboard (codes at /dev/sms); OA user 6 also from the sandbox desk."""
CREDENTIALS_FILE = "demo-apps.json"
OA_SANDBOX_URL = "http://127.0.0.1:8088"
"""Where ``bin/dev run`` starts the e-cology sandbox beside the bridge."""


def _demo_oa_table() -> dict:
    """The ``[oa]`` settings that wire the sandbox to the bridge, fresh secrets each."""
    return {
        "url": OA_SANDBOX_URL,
        "login": "sealbridge",
        "password": secrets.token_urlsafe(12),
        "users": {"ecology": secrets.token_urlsafe(18)},
        "ticket_secret": secrets.token_urlsafe(24),
        "frame_origins": [OA_SANDBOX_URL],
        "seals": {
            "official": ["中国重型汽车集团有限公司公章"],
            "contract": [
                "中国重型汽车集团有限公司合同专用章",
                "重汽汽车金融有限公司合同专用章",
            ],
        },
        "stampers": {"6": ["official", "contract"]},
    }


def _toml(value) -> str:
    """A TOML value: JSON strings and arrays are TOML's too; tables inline."""
    if isinstance(value, dict):
        pairs = (f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items())
        return "{ " + ", ".join(pairs) + " }"
    return json.dumps(value, ensure_ascii=False)


def _wire_oa_sandbox() -> str | None:
    """Append an ``[oa]`` table to the instance file unless one is configured."""
    if runtime().config["OA"]:
        return None
    path = runtime().home / INSTANCE_FILE
    lines = [f"{key} = {_toml(value)}" for key, value in _demo_oa_table().items()]
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n# The demo's e-cology sandbox (bin/dev run starts it).\n")
        handle.write("[oa]\n" + "\n".join(lines) + "\n")
    return f"wired the e-cology sandbox at {OA_SANDBOX_URL} in {path}"


def seed_demo() -> list[str]:
    """Create what is missing (idempotent); return what was done, one line each."""
    done = []
    existing = {(s.company, s.kind) for s in list_seals()}
    for company, kind in DEMO_SEALS:
        if (company, kind) not in existing:
            done.append(f"created seal {create_seal(company=company, kind=kind).name}")
    mobile, name, company, credit_code = DEMO_OPERATOR
    if not db.session.scalar(select(Operator).where(Operator.mobile == mobile)):
        add_operator(mobile, name, company, credit_code)
        authorize_seal(f"{company}合同专用章", mobile, "demo")
        done.append(f"created operator {name} ({mobile}) of {company}")
    for mobile, name, role, tenant, oa_user in DEMO_DASHBOARD_USERS:
        known = select(DashboardUser).where(DashboardUser.mobile == mobile)
        if not db.session.scalar(known):
            add_user(mobile, name, role, tenant, oa_user)
            done.append(f"created dashboard user {name} ({mobile}, {role})")
    wired = _wire_oa_sandbox()
    if wired:
        done.append(wired)
    path = runtime().home / CREDENTIALS_FILE
    if not list_api_apps():
        credentials = []
        for name, tenant, head_office in DEMO_APPS:
            app, secret = create_api_app(name, tenant, head_office=head_office)
            credentials.append(
                {
                    "name": name,
                    "tenant": tenant,
                    "app_key": app.app_key,
                    "app_secret": secret,
                    "webhook_secret": webhook_secrets(app)[0],
                }
            )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(credentials, handle, ensure_ascii=False, indent=2)
        done.append(f"created demo apps; credentials in {path}")
    if path.exists():
        dealer = json.loads(path.read_text())[0]
        done.append(
            "try: python examples/finance_client.py --base-url "
            f"{runtime().config['PUBLIC_URL']} --app-key {dealer['app_key']} "
            f"--app-secret={dealer['app_secret']}"
        )
    return done
