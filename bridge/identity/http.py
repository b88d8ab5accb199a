"""A three-element verification service over HTTP (name + ID number + mobile).

Request: ``POST IDENTITY_HTTP_URL`` with JSON ``{"name", "idNumber", "mobile"}``
and the configured auth (see :mod:`bridge.outbound`). Answer: 200 with JSON
``{"match": true|false, "reference": "...", "reason": "..."}``. Anything else —
a timeout, another status, a body without ``match`` — is 503
``identity_provider_unavailable``: the signer may try again, and nobody is
verified by accident.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import requests

from .. import outbound
from . import IdentityResult, IdentityUnavailableError

__all__ = ["HttpIdentityProvider"]


@dataclass(frozen=True)
class HttpIdentityProvider:
    url: str
    auth: str
    secret: str | None
    timeout: float
    method: str = "http-3e"

    @classmethod
    def from_config(cls, config: dict) -> HttpIdentityProvider:
        outbound.auth_headers(
            config["IDENTITY_HTTP_AUTH"], config["IDENTITY_HTTP_SECRET"], b""
        )
        return cls(
            url=config["IDENTITY_HTTP_URL"],
            auth=config["IDENTITY_HTTP_AUTH"],
            secret=config["IDENTITY_HTTP_SECRET"],
            timeout=float(config["IDENTITY_HTTP_TIMEOUT_SECONDS"]),
        )

    def verify(self, name: str, id_number: str, mobile: str) -> IdentityResult:
        body = json.dumps(
            {"name": name, "idNumber": id_number, "mobile": mobile}, ensure_ascii=False
        ).encode()
        try:
            response = outbound.post(
                self.url,
                body,
                content_type="application/json",
                auth=self.auth,
                secret=self.secret,
                timeout=self.timeout,
            )
            answer = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            raise IdentityUnavailableError(
                f"The identity service did not answer: {type(exc).__name__}."
            ) from None
        if not isinstance(answer, dict) or not isinstance(answer.get("match"), bool):
            raise IdentityUnavailableError(
                f"The identity service answered HTTP {response.status_code} "
                "without a verdict."
            )
        return IdentityResult(
            answer["match"],
            self.method,
            str(answer.get("reference") or "")[:128],
            answer.get("reason") if not answer["match"] else None,
        )
