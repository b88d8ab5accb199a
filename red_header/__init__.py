"""GB/T 9704-2012 red-header official documents (红头文件), without Flask."""

from .compose import compose
from .errors import MetadataError, RedHeaderError, TemplateError
from .metadata import OfficialDocument, chinese_date, format_doc_number, parse_metadata
from .templates import find_template, list_templates

__all__ = [
    "MetadataError",
    "OfficialDocument",
    "RedHeaderError",
    "TemplateError",
    "chinese_date",
    "compose",
    "find_template",
    "format_doc_number",
    "list_templates",
    "parse_metadata",
]
