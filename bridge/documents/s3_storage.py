"""Documents in S3-compatible object storage (AWS S3, MinIO, Ceph RGW, ...) via boto3.

Objects are named ``<prefix>/<aa>/<sha256>``. A put sends the SHA-256 as the
object's checksum, so the server refuses bytes damaged on the way, and
``If-None-Match: *``, so an object is never replaced: a name is the hash of the
document it holds (whole, or as the bytes a revision appends), so "already
there" means "already stored". For write-once retention,
create the bucket with Object Lock and a default retention; nothing changes in
the bridge (the checksum header is what Object Lock uploads require).

The server being down, slow past the timeouts (after botocore's retries) or
refusing the request becomes :class:`~bridge.errors.StorageUnavailableError`,
a 503 with code ``storage_unavailable``.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..errors import ConfigurationError, NotFoundError, StorageUnavailableError
from .storage import ContentStore, key_of

__all__ = ["SETTINGS", "S3Storage"]

SETTINGS: dict[str, Any] = {
    "bucket": None,
    "prefix": "documents",
    # None means AWS itself; MinIO and others give their own URL.
    "endpoint_url": None,
    "region": None,
    # None means boto3's own chain (AWS_ACCESS_KEY_ID, ~/.aws, instance role).
    "access_key_id": None,
    "secret_access_key": None,
    # "path" for most self-hosted servers, "virtual" or "auto" for AWS.
    "addressing_style": "auto",
    "connect_timeout_seconds": 5,
    "read_timeout_seconds": 30,
    # Tries per request, the first included, with botocore's standard backoff.
    "max_attempts": 3,
}
"""The keys of the ``S3`` configuration table and their defaults."""

_MISSING = {"NoSuchKey", "NotFound", "404"}


class S3Storage(ContentStore):
    """A bucket (or a prefix in one) holding content-addressed documents."""

    def __init__(self, bucket: str, *, prefix: str = "", **settings: Any) -> None:
        options = {**SETTINGS, **settings}
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._where = f"s3 bucket {bucket!r}" + (
            f" at {options['endpoint_url']}" if options["endpoint_url"] else ""
        )
        self._client = boto3.session.Session().client(
            "s3",
            endpoint_url=options["endpoint_url"],
            region_name=options["region"],
            aws_access_key_id=options["access_key_id"],
            aws_secret_access_key=options["secret_access_key"],
            config=Config(
                connect_timeout=float(options["connect_timeout_seconds"]),
                read_timeout=float(options["read_timeout_seconds"]),
                retries={
                    "mode": "standard",
                    "total_max_attempts": int(options["max_attempts"]),
                },
                s3={"addressing_style": options["addressing_style"]},
            ),
        )

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> S3Storage:
        """From the ``S3`` configuration table; unknown keys are refused."""
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise ConfigurationError(
                f"Unknown S3 settings {', '.join(unknown)}; "
                f"known: {', '.join(SETTINGS)}."
            )
        options = {**SETTINGS, **settings}
        if not options["bucket"]:
            raise ConfigurationError("STORAGE = 's3' needs S3.bucket.")
        return cls(**options)

    def key(self, sha256: str) -> str:
        """The object name of ``sha256``."""
        return "/".join(filter(None, (self.prefix, key_of(sha256))))

    def _write(self, sha256: str, body: bytes, whole: bool) -> None:
        # A whole document's checksum is its name: no second pass over its bytes.
        checksum = bytes.fromhex(sha256) if whole else hashlib.sha256(body).digest()
        try:
            self._client.put_object(
                Bucket=self.bucket,
                Key=self.key(sha256),
                Body=body,
                ContentType="application/pdf" if whole else "application/octet-stream",
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=base64.b64encode(checksum).decode(),
                IfNoneMatch="*",
            )
        except ClientError as exc:
            if _error_code(exc) != "PreconditionFailed":  # stored before: done
                raise self._unavailable("store", exc) from exc
        except BotoCoreError as exc:
            raise self._unavailable("store", exc) from exc

    def _read(self, sha256: str) -> bytes:
        key = self.key(sha256)
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=key)
            return response["Body"].read()
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                raise NotFoundError(f"No stored document {sha256}.") from None
            raise self._unavailable("read", exc) from exc
        except BotoCoreError as exc:
            raise self._unavailable("read", exc) from exc

    def _unavailable(self, what: str, exc: Exception) -> StorageUnavailableError:
        reason = _error_code(exc) if isinstance(exc, ClientError) else str(exc)
        return StorageUnavailableError(
            f"The document store ({self._where}) could not {what} a document: "
            f"{reason}. Retry later."
        )


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
