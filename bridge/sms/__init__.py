"""Sending SMS: a gateway port, its adapters, and SMS as outbox messages.

``SMS_GATEWAY`` picks the adapter: ``dev`` (the default: every message is
stored and logged, nothing leaves the machine) or ``http`` (a generic HTTP
gateway, see :mod:`bridge.sms.http`). Messages are never sent from a request:
:func:`bridge.sms.outbox.enqueue_sms` writes them to the outbox with the state
change that caused them.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import ConfigurationError

__all__ = ["SmsError", "SmsGateway", "build_gateway", "mask_mobile"]


class SmsError(Exception):
    """The gateway did not accept the message; the outbox retries it."""


class SmsGateway(Protocol):
    def send(self, mobile: str, text: str) -> None:
        """Hand one message to the gateway or raise :class:`SmsError`."""


def mask_mobile(mobile: str) -> str:
    """``138****5678``: for logs and pages."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "****"


def build_gateway(config: dict) -> SmsGateway:
    kind = config["SMS_GATEWAY"]
    if kind == "dev":
        from .dev import DevSmsGateway

        return DevSmsGateway()
    if kind == "http":
        from .http import HttpSmsGateway

        return HttpSmsGateway.from_config(config)
    raise ConfigurationError(f"Unknown SMS_GATEWAY {kind!r}: use dev or http.")
