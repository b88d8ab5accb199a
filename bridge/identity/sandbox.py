"""The sandbox provider: what can be checked without the national database.

The 18-digit resident ID (GB 11643 check digit, a real birth date, a province
code that exists), the name's form, and — when ``IDENTITY_SANDBOX_PEOPLE`` lists
people — that name, ID number and mobile are one listed person.
"""

from __future__ import annotations

import uuid

from ..domain.validators import check_id_number, check_mobile, check_person_name
from . import IdentityResult

__all__ = ["PROVINCE_CODES", "SandboxIdentityProvider", "check_region_code"]

PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
"""GB/T 2260 provinces (first two digits of the administrative division code)."""


def check_region_code(id_number: str) -> str | None:
    """The first six digits: a known province, then city and county codes."""
    if id_number[:2] not in PROVINCE_CODES:
        return "region code names no province"
    if id_number[2:4] == "00" and id_number[4:6] != "00":
        return "region code is not valid"
    return None


class SandboxIdentityProvider:
    method = "sandbox-3e"

    def __init__(self, people: dict[str, dict] | None = None) -> None:
        self._people = {k.upper(): v for k, v in (people or {}).items()}

    def verify(self, name: str, id_number: str, mobile: str) -> IdentityResult:
        reference = f"sandbox-{uuid.uuid4().hex[:16]}"
        checks = (
            ("name", check_person_name(name)),
            ("ID number", check_id_number(id_number)),
            ("ID number", check_region_code(id_number.upper())),
            ("mobile", check_mobile(mobile)),
        )
        problem = next((f"{what} {why}" for what, why in checks if why), None)
        if not problem and self._people:
            person = self._people.get(id_number.upper())
            if person is None or (person.get("name"), person.get("mobile")) != (
                name,
                mobile,
            ):
                problem = "name, ID number and mobile are not one known person"
        return IdentityResult(problem is None, self.method, reference, problem)
