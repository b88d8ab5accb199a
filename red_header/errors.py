"""Errors of the red-header library; the bridge maps them to its own error tree."""

from __future__ import annotations

__all__ = ["MetadataError", "RedHeaderError", "TemplateError"]


class RedHeaderError(Exception):
    """Base of every red-header error."""


class MetadataError(RedHeaderError):
    """The document's metadata is incomplete or malformed: one message per field."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


class TemplateError(RedHeaderError):
    """A template is missing or cannot be rendered, or a body document is unusable."""
