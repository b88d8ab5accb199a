"""The finance documents' Word templates and the parameters each one declares.

``templates/finance/<name>.docx`` is a docxtpl template and
``<name>.schema.json`` the JSON Schema (draft 2020-12) of its parameters; the
name is the contract category. The schema's ``x-sealbridge`` object gives the
Chinese title and the signatories: who signs in which order, at which keyword.

Besides JSON types the schemas use these formats, checked here:
``cn-id-number``, ``cn-mobile``, ``cn-credit-code``, ``vin``,
``cn-person-name`` (:mod:`bridge.domain.validators`), ``date`` (YYYY-MM-DD)
and ``cny-amount`` (a number of 元 with at most two decimals).

Rendering adds computed values next to the parameters they come from, so
that templates never compute: ``<amount>_text`` (``285,600.00``) and
``<amount>_words`` (``人民币贰拾捌万伍仟陆佰元整``) for every ``cny-amount``,
``<date>_cn`` (``2026年11月29日``) for every ``date``, ``<choice>_text`` (the
chosen ``oneOf`` entry's title) for choices, and for an object marked
``"x-sealbridge-schedule": true`` (with ``amount``, ``annual_rate`` in percent,
``term_months``, ``repayment_method`` and ``first_due_date``) its repayment
``schedule`` rows, ``total_payment_text``, ``total_payment_words`` and
``total_interest_text``.
"""

from __future__ import annotations

import functools
import io
import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from jsonschema import Draft202012Validator, FormatChecker, SchemaError
from jsonschema.exceptions import ValidationError

from red_header.prepared_template import PreparedDocxTemplate

from ..domain import validators
from ..domain.money import amount_in_words, format_amount
from ..domain.repayment import schedule
from ..errors import ConfigurationError, InvalidInputError, NotFoundError

__all__ = [
    "TEMPLATE_FOLDER",
    "FinanceTemplate",
    "SignatorySlot",
    "get_template",
    "list_templates",
    "parties",
    "render",
    "validate_params",
]

TEMPLATE_FOLDER = Path(__file__).resolve().parents[2] / "templates" / "finance"


@dataclass(frozen=True)
class SignatorySlot:
    """One signatory a template expects; ``param`` names the party's parameters."""

    role: str
    kind: str
    param: str
    keyword: str
    routing_order: int
    actions: tuple[str, ...]
    auto: bool = False
    optional: bool = False
    """The party's parameters may be left out; the slot is then dropped."""


@dataclass(frozen=True)
class FinanceTemplate:
    """A Word template with its parameter schema and signatories."""

    name: str
    title: str
    category: str
    schema: dict
    signatories: tuple[SignatorySlot, ...]
    path: Path

    def describe(self) -> dict:
        """What ``GET /api/v1/templates`` shows a caller."""
        return {
            "name": self.name,
            "title": self.title,
            "category": self.category,
            "parameters": self.schema,
            "signatories": [
                {**asdict(slot), "actions": list(slot.actions)}
                for slot in self.signatories
            ],
        }


def list_templates(folder: Path = TEMPLATE_FOLDER) -> list[FinanceTemplate]:
    """Every template in ``folder``, by name."""
    return [_load(path) for path in sorted(folder.glob("*.schema.json"))]


def get_template(name: str, folder: Path = TEMPLATE_FOLDER) -> FinanceTemplate:
    """The template called ``name``, or ``NotFoundError`` (``unknown_template``)."""
    path = folder / f"{name}.schema.json"
    valid = isinstance(name, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name)
    if not valid or not path.is_file():
        known = ", ".join(t.name for t in list_templates(folder))
        raise NotFoundError(
            f"There is no finance template {name!r} (known: {known}).",
            code="unknown_template",
        )
    return _load(path)


def validate_params(template: FinanceTemplate, params: object) -> dict:
    """``params`` when they satisfy the template's schema.

    :raises InvalidInputError: ``invalid_parameters`` with one message per
        field (``{"borrower.id_number": "check digit is wrong"}``), all at once.
    """
    if not isinstance(params, dict):
        raise InvalidInputError(
            "The parameters must be a JSON object.",
            code="invalid_parameters",
            details={"parameters": "must be an object"},
        )
    validator = Draft202012Validator(template.schema, format_checker=_FORMAT_CHECKER)
    details: dict[str, str] = {}
    errors = sorted(
        validator.iter_errors(params),
        key=lambda error: _PRIORITY.get(str(error.validator), len(_PRIORITY)),
    )
    for error in errors:
        for field, message in _messages(error):
            details.setdefault(field, message)
    if details:
        raise InvalidInputError(
            f"The parameters of {template.title} ({template.name}) are invalid: "
            + "; ".join(f"{field}: {message}" for field, message in details.items()),
            code="invalid_parameters",
            details=details,
        )
    return params


def render(template: FinanceTemplate, params: dict) -> bytes:
    """The filled-in ``.docx`` of ``params`` (validated here too)."""
    params = validate_params(template, params)
    document = PreparedDocxTemplate(str(template.path))
    try:
        document.render(_context(template.schema, template.schema, params))
    except TemplateError as exc:
        raise ConfigurationError(
            f"The finance template {template.name!r} cannot be rendered: {exc}"
        ) from exc
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def parties(template: FinanceTemplate, params: dict) -> list[dict]:
    """The signatories present in validated ``params``, in the template's order."""
    found = []
    for slot in template.signatories:
        party = params.get(slot.param)
        if party is None and slot.optional:
            continue
        if slot.kind == "PERSONAL":
            identity = {
                "id_number": party["id_number"].upper(),
                "mobile": party["mobile"],
            }
        else:
            identity = {"credit_code": party["credit_code"]}
        found.append(
            {
                "role": slot.role,
                "kind": slot.kind,
                "name": party["name"],
                **identity,
                "keyword": slot.keyword,
                "routing_order": slot.routing_order,
                "actions": list(slot.actions),
                "auto": slot.auto,
            }
        )
    return found


# -- loading -----------------------------------------------------------------


def _load(path: Path) -> FinanceTemplate:
    """The template at ``path``, parsed and checked once per version of the file."""
    return _load_version(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _load_version(path: Path, mtime_ns: int) -> FinanceTemplate:
    name = path.name.removesuffix(".schema.json")
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        meta = schema["x-sealbridge"]
        required = set(schema.get("required", ()))
        slots = tuple(
            SignatorySlot(
                role=slot["role"],
                kind=slot["kind"],
                param=slot["param"],
                keyword=slot["keyword"],
                routing_order=int(slot["routing_order"]),
                actions=tuple(slot["actions"]),
                auto=bool(slot.get("auto", False)),
                optional=slot["param"] not in required,
            )
            for slot in meta["signatories"]
        )
        template = FinanceTemplate(
            name,
            meta["title"],
            meta["category"],
            schema,
            slots,
            path.with_name(name + ".docx"),
        )
    except (OSError, ValueError, KeyError, TypeError, SchemaError) as exc:
        raise ConfigurationError(
            f"The finance template {name!r} is broken: {exc}"
        ) from exc
    if not template.path.is_file():
        raise ConfigurationError(
            f"The finance template {name!r} has no {template.path.name}."
        )
    return template


# -- validation --------------------------------------------------------------


def _check_date(value: str) -> str | None:
    """A calendar date of this or the last century, so schedules stay in range."""
    try:
        if re.fullmatch(r"(19|20)\d{2}-\d{2}-\d{2}", value):
            date.fromisoformat(value)
            return None
    except ValueError:
        pass
    return "must be a date written YYYY-MM-DD (1900-2099)"


def _check_amount(value: float | Decimal) -> str | None:
    amount = _decimal(value)
    if amount.is_finite() and amount == amount.quantize(Decimal("0.01")):
        return None
    return "must be an amount in 元 with at most two decimals"


_CHECKS = {
    "cn-id-number": (str, validators.check_id_number),
    "cn-mobile": (str, validators.check_mobile),
    "cn-credit-code": (str, validators.check_credit_code),
    "vin": (str, validators.check_vin),
    "cn-person-name": (str, validators.check_person_name),
    "date": (str, _check_date),
    "cny-amount": (int | float | Decimal, _check_amount),
}
"""Format → (the values it applies to, the check); other types are the type's job."""


def _format_checker() -> FormatChecker:
    """The schemas' formats; a failed check's message becomes the field's message."""
    checker = FormatChecker(formats=())
    for name, (applies_to, check) in _CHECKS.items():

        def run(value: object, applies_to=applies_to, check=check) -> bool:
            if isinstance(value, applies_to) and not isinstance(value, bool):
                message = check(value)
                if message:
                    raise ValueError(message)
            return True

        checker.checks(name, raises=ValueError)(run)
    return checker


_FORMAT_CHECKER = _format_checker()

_PRIORITY = {"type": 0, "required": 1, "additionalProperties": 2, "format": 3}
"""Which error speaks for a field that has several: the most basic one."""

_TYPES = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "object": "an object",
    "array": "an array",
    "boolean": "true or false",
}


_LIMITS = {
    "minimum": "must be at least {}",
    "exclusiveMinimum": "must be greater than {}",
    "maximum": "must be at most {}",
    "exclusiveMaximum": "must be less than {}",
    "minLength": "must have at least {} characters",
    "maxLength": "must have at most {} characters",
}


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "parameters"


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    """``(field, message)`` pairs for one schema violation."""
    where = list(error.absolute_path)
    keyword, limit = str(error.validator), error.validator_value
    if keyword == "required":
        return [
            (_path([*where, name]), "is required")
            for name in limit
            if name not in error.instance
        ]
    if keyword == "additionalProperties":
        known = error.schema.get("properties", {})
        return [
            (_path([*where, name]), "is not allowed")
            for name in error.instance
            if name not in known
        ]
    return [(_path(where), _message(keyword, limit, error))]


def _message(keyword: str, limit: Any, error: ValidationError) -> str:
    if keyword == "type":
        kinds = [limit] if isinstance(limit, str) else limit
        return "must be " + " or ".join(_TYPES.get(kind, kind) for kind in kinds)
    if keyword == "format":
        return str(error.cause) if error.cause else f"must be a {limit}"
    if keyword in _LIMITS:
        return _LIMITS[keyword].format(limit)
    if keyword == "pattern":
        return "has the wrong format"
    if keyword == "enum" or (
        keyword == "oneOf" and all("const" in choice for choice in limit)
    ):
        values = limit if keyword == "enum" else [choice["const"] for choice in limit]
        return "must be one of " + ", ".join(map(str, values))
    return error.message


# -- rendering ---------------------------------------------------------------


def _context(root: dict, schema: dict, value: Any) -> Any:
    """``value`` with the computed values its schema calls for, recursively."""
    schema = _resolve(root, schema)
    if isinstance(value, list):
        items = schema.get("items", {})
        return [_context(root, items, item) for item in value]
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties", {})
    context: dict[str, Any] = {}
    for key, item in value.items():
        node = _resolve(root, properties.get(key, {}))
        context[key] = _context(root, node, item)
        context |= _computed(key, node, item)
    if schema.get("x-sealbridge-schedule"):
        context |= _schedule(value)
    return context


def _computed(key: str, node: dict, value: Any) -> dict[str, str]:
    kind = node.get("format")
    if kind == "cny-amount":
        amount = _decimal(value)
        return {
            f"{key}_text": format_amount(amount),
            f"{key}_words": amount_in_words(amount),
        }
    if kind == "date":
        return {f"{key}_cn": _chinese_date(date.fromisoformat(value))}
    for choice in node.get("oneOf", ()):
        if "const" in choice and choice["const"] == value:
            return {f"{key}_text": choice.get("title", str(value))}
    return {}


def _schedule(terms: dict) -> dict[str, Any]:
    rows = schedule(
        _decimal(terms["amount"]),
        _decimal(terms["annual_rate"]) / 100,
        terms["term_months"],
        terms["repayment_method"],
        date.fromisoformat(terms["first_due_date"]),
    )
    total = sum(row.payment for row in rows)
    return {
        "schedule": [
            {
                "period": row.period,
                "due_date_cn": _chinese_date(row.due_date),
                "payment_text": format_amount(row.payment),
                "principal_text": format_amount(row.principal),
                "interest_text": format_amount(row.interest),
                "balance_text": format_amount(row.balance),
            }
            for row in rows
        ],
        "total_payment_text": format_amount(total),
        "total_payment_words": amount_in_words(total),
        "total_interest_text": format_amount(sum(row.interest for row in rows)),
    }


def _resolve(root: dict, node: dict) -> dict:
    reference = node.get("$ref", "")
    if reference.startswith("#/$defs/"):
        return root["$defs"][reference.removeprefix("#/$defs/")]
    return node


def _decimal(value: int | float | Decimal) -> Decimal:
    """JSON numbers as exact decimals: ``285600.5`` is 285600.50, not its binary."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
