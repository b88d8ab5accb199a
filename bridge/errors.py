"""The one error tree of the bridge and its mapping to HTTP and CLI answers.

Every failure a user can cause or meet is a :class:`BridgeError` with a stable
``code``; library exceptions are translated at the boundary where they occur.
Nothing else reaches a user: unexpected exceptions become a generic 500 whose
body carries no stack trace.
"""

from __future__ import annotations

import logging

__all__ = [
    "BridgeError",
    "InvalidInputError",
    "InvalidPdfError",
    "EncryptedPdfError",
    "InvalidImageError",
    "FileTooLargeError",
    "UnsupportedMediaTypeError",
    "PlacementError",
    "KeywordNotFoundError",
    "PageOutOfRangeError",
    "AuthenticationError",
    "ForbiddenError",
    "NotFoundError",
    "UnknownSealError",
    "ConflictError",
    "ConfigurationError",
    "TimestampError",
    "SigningError",
    "InvalidDocxError",
    "EncryptedDocxError",
    "ConversionError",
    "ConversionTimeoutError",
    "FontCheckError",
    "ConverterBusyError",
    "ConverterUnavailableError",
    "StorageUnavailableError",
    "DocumentDamagedError",
    "register_error_handlers",
]

logger = logging.getLogger(__name__)


class BridgeError(Exception):
    """Base of every error the bridge reports to a user."""

    code = "error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = dict(details or {})
        """Field-level messages, e.g. ``{"title": "is required"}``."""
        if code is not None:
            self.code = code

    def to_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.details:
            body["fields"] = self.details
        return body


class InvalidInputError(BridgeError):
    """The request or file is malformed or violates a rule."""

    code = "invalid_input"
    status = 400


class InvalidPdfError(InvalidInputError):
    """The input is not a readable PDF (not a PDF, truncated or corrupt)."""

    code = "invalid_pdf"
    status = 422


class EncryptedPdfError(InvalidPdfError):
    """The PDF is encrypted; it cannot be sealed or verified without its password."""

    code = "encrypted_pdf"


class InvalidImageError(InvalidInputError):
    """An uploaded seal image is not a PNG or JPEG image."""

    code = "invalid_image"
    status = 422


class FileTooLargeError(InvalidInputError):
    """An upload exceeds its size limit."""

    code = "file_too_large"
    status = 413


class UnsupportedMediaTypeError(InvalidInputError):
    """The request body has the wrong content type."""

    code = "unsupported_media_type"
    status = 415


class PlacementError(InvalidInputError):
    """A seal placement cannot be resolved on the document."""

    code = "invalid_placement"


class KeywordNotFoundError(PlacementError):
    """A keyword that must anchor a seal does not occur in the document."""

    code = "keyword_not_found"


class PageOutOfRangeError(PlacementError):
    """A placement names a page the document does not have."""

    code = "page_out_of_range"


class AuthenticationError(BridgeError):
    """The request is not signed by a known, enabled app (see docs/api.md)."""

    code = "unauthenticated"
    status = 401


class ForbiddenError(BridgeError):
    """The caller is known but may not do this (e.g. a dealer app on operator views)."""

    code = "forbidden"
    status = 403


class NotFoundError(BridgeError):
    """The named object does not exist (or is not visible to the caller)."""

    code = "not_found"
    status = 404


class UnknownSealError(NotFoundError):
    """No seal has the given name or id."""

    code = "unknown_seal"


class ConflictError(BridgeError):
    """The request conflicts with the current state."""

    code = "conflict"
    status = 409


class ConfigurationError(BridgeError):
    """The deployment is misconfigured (missing master key, bad option)."""

    code = "configuration_error"
    status = 500


class TimestampError(BridgeError):
    """The timestamp authority did not answer with a valid token.

    Never papered over with the local clock: the caller retries or fails.
    """

    code = "tsa_unavailable"
    status = 503


class SigningError(BridgeError):
    """The signature could not be produced."""

    code = "signing_failed"
    status = 500


class InvalidDocxError(InvalidInputError):
    """The input is not an acceptable .docx (not one, macros, unsafe archive)."""

    code = "invalid_docx"
    status = 422


class EncryptedDocxError(InvalidDocxError):
    """The document is password-protected; it cannot be converted without it."""

    code = "encrypted_docx"


class ConversionError(BridgeError):
    """LibreOffice (or Word) could not turn the document into a sound PDF."""

    code = "conversion_failed"
    status = 422


class ConversionTimeoutError(ConversionError):
    """The conversion took longer than its limit; the converter was killed."""

    code = "conversion_timeout"


class FontCheckError(ConversionError):
    """The PDF has a font that is not embedded or text drawn without its glyphs."""

    code = "missing_glyphs"


class ConverterBusyError(BridgeError):
    """Every converter is busy and the waiting line is full: retry later."""

    code = "converter_busy"
    status = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConverterUnavailableError(BridgeError):
    """No converter process could be started (LibreOffice missing or broken)."""

    code = "converter_unavailable"
    status = 503


class StorageUnavailableError(BridgeError):
    """The document store (an S3 bucket) cannot be reached or refused the request."""

    code = "storage_unavailable"
    status = 503


class DocumentDamagedError(BridgeError):
    """A stored document no longer matches its SHA-256: it is never served."""

    code = "document_damaged"
    status = 500


def register_error_handlers(app) -> None:
    """Answer every error as JSON ``{"code", "message"}`` without a stack trace."""
    from flask import jsonify
    from sqlalchemy.exc import InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(BridgeError)
    def _bridge_error(exc: BridgeError):
        if exc.status >= 500:
            logger.error("%s: %s", exc.code, exc.message)
        response = jsonify(exc.to_dict())
        response.status_code = exc.status
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = (exc.name or "http_error").lower().replace(" ", "_")
        body = {"code": code, "message": exc.description or exc.name}
        response = jsonify(body)
        response.status_code = exc.code or 500
        if exc.code == 413:
            response.data = jsonify(
                {"code": "file_too_large", "message": "The request body is too large."}
            ).data
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(SQLAlchemyTimeoutError)
    def _database_away(exc: Exception):
        # The database restarting, unreachable, or busy past its timeout: the
        # transaction was rolled back, so the same request may simply be sent again.
        logger.warning("database unavailable: %s", str(exc).splitlines()[0])
        response = jsonify(
            {
                "code": "database_unavailable",
                "message": "The database is unavailable; retry shortly.",
            }
        )
        response.status_code = 503
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        logger.exception("unhandled error")
        return jsonify({"code": "internal_error", "message": "Internal error."}), 500
