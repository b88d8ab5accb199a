"""docxtpl templates whose preparation is done once per template text.

Before every render docxtpl rewrites the template's XML so that Jinja can read
it (``patch_xml``) and compiles the result. Both depend on the template's text
alone, which changes only when the ``.docx`` file does, so they are kept here:
a loan contract renders in less than half the time.
"""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar

from docxtpl import DocxTemplate
from jinja2 import Environment, Template
from jinja2.sandbox import SandboxedEnvironment

__all__ = ["PreparedDocxTemplate"]

_LISTING = re.compile("[\t\a\n\f]")
_KEPT = 64
"""Prepared texts kept: a few parts (body, footers) of each shipped template."""


class _CompilingOnce(SandboxedEnvironment):
    """A sandboxed Jinja environment that compiles each template text once.

    Sandboxed because templates are edited by the business in Word: a
    placeholder must not reach Python internals.
    """

    def from_string(
        self,
        source: Any,
        globals: Any = None,  # noqa: A002 (Jinja's own parameter name)
        template_class: Any = None,
    ) -> Template:
        if globals is None and template_class is None and isinstance(source, str):
            return self._compiled(source)
        return super().from_string(source, globals, template_class)

    @functools.lru_cache(maxsize=_KEPT)  # noqa: B019 (one environment, kept for good)
    def _compiled(self, source: str) -> Template:
        return super().from_string(source)


class PreparedDocxTemplate(DocxTemplate):
    """A ``DocxTemplate`` that reuses the patched and compiled forms of its parts."""

    environment: ClassVar[Environment] = _CompilingOnce(autoescape=True)
    _patched: ClassVar[dict[str, str]] = {}

    def patch_xml(self, src_xml: str) -> str:
        patched = self._patched.get(src_xml)
        if patched is None:
            patched = super().patch_xml(src_xml)
            if len(self._patched) >= _KEPT:
                self._patched.clear()
            self._patched[src_xml] = patched
        return patched

    def resolve_listing(self, xml: str) -> str:
        """docxtpl turns tabs, ``\\a``, newlines and form feeds in rendered text
        into Word's tabs and breaks; with none, it would rebuild the same string."""
        if _LISTING.search(xml) is None:
            return xml
        return super().resolve_listing(xml)

    def render(
        self,
        context: dict[str, Any],
        jinja_env: Environment | None = None,
        autoescape: bool = True,
    ) -> None:
        """Render, by default through the compiling-once, escaping environment."""
        super().render(context, jinja_env or self.environment, autoescape)
