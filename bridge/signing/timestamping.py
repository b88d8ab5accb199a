"""Timestamp sources for signatures: the embedded authority or external TSAs.

Both are pyHanko ``TimeStamper`` subclasses, so one object serves signature
timestamps (B-T) and document timestamps (B-LTA). A failing external TSA is
retried with backoff and then reported as :class:`TimestampError`; there is no
fallback to the local clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from asn1crypto import tsp
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

from ..errors import TimestampError
from ..pki.tsa import TimestampAuthority

__all__ = ["EmbeddedTimeStamper", "FailoverTimeStamper", "timestamp_digest"]

logger = logging.getLogger(__name__)


class EmbeddedTimeStamper(TimeStamper):
    """Asks the bridge's own :class:`TimestampAuthority` in-process."""

    def __init__(self, authority: TimestampAuthority) -> None:
        super().__init__()
        self._authority = authority

    async def async_request_tsa_response(
        self, req: tsp.TimeStampReq
    ) -> tsp.TimeStampResp:
        return self._authority.respond(req)


class FailoverTimeStamper(TimeStamper):
    """External TSAs tried in order, the whole list ``attempts`` times with backoff."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float,
        attempts: int,
        backoff_seconds: float = 0.5,
    ) -> None:
        super().__init__()
        self._clients = [HTTPTimeStamper(url, timeout=timeout) for url in urls]
        self._attempts = max(1, attempts)
        self._backoff = backoff_seconds

    async def async_request_tsa_response(
        self, req: tsp.TimeStampReq
    ) -> tsp.TimeStampResp:
        failures: list[str] = []
        for attempt in range(self._attempts):
            for client in self._clients:
                try:
                    return await client.async_request_tsa_response(req)
                except (TimestampRequestError, OSError) as exc:
                    failures.append(f"{client.url}: {exc}")
                    logger.warning("TSA %s failed: %s", client.url, exc)
            if attempt + 1 < self._attempts:
                await asyncio.sleep(self._backoff * 2**attempt)
        raise TimestampError(
            "No timestamp authority answered: "
            + "; ".join(failures[-len(self._clients) :])
        )


def timestamp_digest(stamper: TimeStamper, digest: bytes) -> bytes:
    """A DER timestamp token over a SHA-256 ``digest``, or :class:`TimestampError`."""
    try:
        token = asyncio.run(stamper.async_timestamp(digest, "sha256"))
    except TimestampError:
        raise
    except (PyHankoSigningError, ValueError, OSError) as exc:
        raise TimestampError(f"The timestamp authority failed: {exc}") from exc
    return token.dump()
