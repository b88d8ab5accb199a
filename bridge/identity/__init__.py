"""Real-name verification (实名认证): a provider port and its adapters.

``IDENTITY_PROVIDER`` picks the adapter: ``sandbox`` (the default; format
checks and an optional list of known people) or ``http`` (a three-element
name + ID number + mobile verification service). A provider answers whether
the three elements belong together; it never sees more than it must, and
nothing here logs an ID number unmasked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..errors import BridgeError, ConfigurationError

__all__ = [
    "IdentityProvider",
    "IdentityResult",
    "IdentityUnavailableError",
    "build_provider",
]


@dataclass(frozen=True)
class IdentityResult:
    """The provider's answer, kept as evidence (method, reference)."""

    matched: bool
    method: str
    reference: str
    reason: str | None = None


class IdentityUnavailableError(BridgeError):
    """The verification service did not answer usefully; try again later."""

    code = "identity_provider_unavailable"
    status = 503


class IdentityProvider(Protocol):
    def verify(self, name: str, id_number: str, mobile: str) -> IdentityResult: ...


def build_provider(config: dict) -> IdentityProvider:
    kind = config["IDENTITY_PROVIDER"]
    if kind == "sandbox":
        from .sandbox import SandboxIdentityProvider

        return SandboxIdentityProvider(config["IDENTITY_SANDBOX_PEOPLE"])
    if kind == "http":
        from .http import HttpIdentityProvider

        return HttpIdentityProvider.from_config(config)
    raise ConfigurationError(
        f"Unknown IDENTITY_PROVIDER {kind!r}: use sandbox or http."
    )
