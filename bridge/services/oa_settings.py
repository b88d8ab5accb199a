"""The OA settings: the ``OA`` table of the configuration over its defaults.

```toml
[oa]
url = "http://oa.example:8080"   # e-cology, for pushback
login = "sealbridge"             # DocService account the sealed docs belong to
password = "..."
users = { ecology = "..." }      # WS-Security users of the OA's node actions
ticket_secret = "..."            # shared with the OA form signing Stamp tickets
frame_origins = ["http://oa.example:8080"]
seals = { official = ["中国重型汽车集团有限公司公章"], contract = ["..."] }
stampers = { "6" = ["official", "contract"] }   # OA user id → seal kinds
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ..runtime import runtime

__all__ = ["DEFAULTS", "oa_settings", "require", "sandbox_config"]

DEFAULTS: dict[str, Any] = {
    "url": None,
    "login": "sealbridge",
    "password": None,
    "timeout_seconds": 20,
    "users": {},
    "ticket_secret": None,
    "frame_origins": [],
    "seals": {},
    "stampers": {},
    "max_envelope_bytes": 1024 * 1024,
    # WS-Security: how far Created may be from the bridge's clock.
    "clock_skew_seconds": 300,
}


def oa_settings() -> dict[str, Any]:
    return {**DEFAULTS, **(runtime().config.get("OA") or {})}


def require(key: str) -> Any:
    value = oa_settings()[key]
    if not value:
        raise ConfigurationError(
            f"The OA setting {key!r} is not configured.", code="oa_not_configured"
        )
    return value


def sandbox_config(folder: str | None, bridge_url: str | None):
    """A sandbox wired to this bridge: its node-action user, ticket secret, login."""
    from oa_plugin.sandbox.app import SandboxConfig

    settings = oa_settings()
    config = SandboxConfig(
        Path(folder or Path(runtime().config["HOME"]) / "ecology-sandbox"),
        bridge_url=bridge_url or runtime().config["PUBLIC_URL"],
    )
    if settings["users"]:
        config.bridge_user, config.bridge_password = next(
            iter(settings["users"].items())
        )
    if settings["ticket_secret"]:
        config.ticket_secret = settings["ticket_secret"]
    if settings["password"]:
        config.passwords[settings["login"]] = settings["password"]
    return config
