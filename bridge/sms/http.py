"""A generic HTTP SMS gateway: configurable URL, body template and auth.

The body is ``SMS_HTTP_BODY_TEMPLATE`` with ``$mobile`` and ``$text``
substituted (JSON-escaped when the content type is JSON, form-encoded
otherwise). Any 2xx answer is success; anything else, or a timeout, is an
:class:`~bridge.sms.SmsError` and the outbox tries again later.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from string import Template

import requests

from .. import outbound
from . import SmsError, mask_mobile

__all__ = ["HttpSmsGateway"]


@dataclass(frozen=True)
class HttpSmsGateway:
    url: str
    body_template: str
    content_type: str
    auth: str
    secret: str | None
    timeout: float

    @classmethod
    def from_config(cls, config: dict) -> HttpSmsGateway:
        outbound.auth_headers(config["SMS_HTTP_AUTH"], config["SMS_HTTP_SECRET"], b"")
        return cls(
            url=config["SMS_HTTP_URL"],
            body_template=config["SMS_HTTP_BODY_TEMPLATE"],
            content_type=config["SMS_HTTP_CONTENT_TYPE"],
            auth=config["SMS_HTTP_AUTH"],
            secret=config["SMS_HTTP_SECRET"],
            timeout=float(config["SMS_HTTP_TIMEOUT_SECONDS"]),
        )

    def body(self, mobile: str, text: str) -> bytes:
        if "json" in self.content_type:
            quote = lambda value: json.dumps(value, ensure_ascii=False)[1:-1]  # noqa: E731
        else:
            quote = urllib.parse.quote_plus
        return (
            Template(self.body_template)
            .substitute(mobile=quote(mobile), text=quote(text))
            .encode()
        )

    def send(self, mobile: str, text: str) -> None:
        try:
            response = outbound.post(
                self.url,
                self.body(mobile, text),
                content_type=self.content_type,
                auth=self.auth,
                secret=self.secret,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise SmsError(
                f"SMS to {mask_mobile(mobile)}: {type(exc).__name__}"
            ) from exc
        if not 200 <= response.status_code < 300:
            raise SmsError(
                f"SMS to {mask_mobile(mobile)}: HTTP {response.status_code} "
                f"{response.text[:200]}"
            )
