"""``sealbridge demo seed``: what the first Quick-start command sets up, once."""

from __future__ import annotations

import json
import stat
import tomllib

from bridge import create_app
from bridge.services.oa_settings import oa_settings, sandbox_config


def test_demo_seed_sets_up_everything_once_and_wires_the_oa_sandbox(cli, home):
    first = cli("demo", "seed")
    assert first.exit_code == 0, first.output
    assert "created demo apps" in first.output
    assert "wired the e-cology sandbox at http://127.0.0.1:8088" in first.output

    again = cli("demo", "seed")
    assert again.exit_code == 0, again.output
    assert "created" not in again.output
    assert "wired" not in again.output

    table = tomllib.loads((home / "sealbridge.toml").read_text())["oa"]
    assert table["url"] == "http://127.0.0.1:8088"
    assert table["frame_origins"] == ["http://127.0.0.1:8088"]
    credentials = home / "demo-apps.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert [a["tenant"] for a in json.loads(credentials.read_text())] == ["JN001", "*"]

    with create_app({"HOME": str(home)}).app_context():
        settings = oa_settings()
        sandbox = sandbox_config(None, None)
    assert settings["ticket_secret"] == table["ticket_secret"]
    assert (sandbox.bridge_user, sandbox.bridge_password) == next(
        iter(table["users"].items())
    )
