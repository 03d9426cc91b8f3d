"""Stable unit codes: what a code must look like for each kind and how it extends its parent's.

The administrative tiers follow the national statistical scheme, digits only, each tier adding
three digits to its parent's code:

    district   6 digits   370102            (the administrative division code)
    street     9 digits   370102001
    community 12 digits   370102001002
    grid      15 digits   370102001002003

Below the administrative tiers a code is the parent's code, a hyphen and a local part of 1-12
ASCII letters or digits: compound 370102001002-Q1, building 370102001002003-B12 (or
370102001002-Q1-B12 inside a compound), unit 370102001002003-B12-U2, household
370102001002003-B12-U2-H301. No administrative code contains a hyphen, so the two families never
collide, and every code spells out its ancestry. The letter prefixes (Q, B, U, H) are the house
convention the demo data follows; only the shape above is enforced.
"""

from __future__ import annotations

import re

from civicgrid_grid.domain.units import UnitKind

SEPARATOR = "-"
ADMIN_DIGITS: dict[UnitKind, int] = {
    UnitKind.DISTRICT: 6,
    UnitKind.STREET: 9,
    UnitKind.COMMUNITY: 12,
    UnitKind.GRID: 15,
}
TIER_DIGITS = 3
LOCAL_PART = re.compile(r"[0-9A-Za-z]{1,12}")
MAX_CODE_LENGTH = 96
_DIGITS = re.compile(r"[0-9]+")


def validate_code(kind: UnitKind, code: str, parent_code: str | None) -> str | None:
    """None when code is a well-formed code for kind under parent_code, else the reason."""
    if type(code) is not str or not code:
        return "code is empty"
    if len(code) > MAX_CODE_LENGTH:
        return f"code is longer than {MAX_CODE_LENGTH} characters"
    if kind is UnitKind.DISTRICT:
        if parent_code is not None:
            return "a district has no parent, but parent_code is set"
        if not _is_digits(code, ADMIN_DIGITS[kind]):
            return f"district code {code!r} must be the 6-digit division code, e.g. 370102"
        return None
    if not parent_code:
        return f"a {kind} needs a parent_code"
    digits = ADMIN_DIGITS.get(kind)
    if digits is None:
        n = len(parent_code)
        if (
            code.startswith(parent_code)
            and code[n : n + 1] == SEPARATOR
            and LOCAL_PART.fullmatch(code, n + 1)
        ):
            return None
        return (
            f"{kind} code {code!r} must be its parent's code {parent_code!r}, a hyphen and "
            "1-12 letters or digits"
        )
    if not _is_digits(code, digits):
        return f"{kind} code {code!r} must be {digits} digits"
    if len(parent_code) != digits - TIER_DIGITS or not code.startswith(parent_code):
        return (
            f"{kind} code {code!r} must be its parent's code {parent_code!r} "
            f"followed by {TIER_DIGITS} digits"
        )
    return None


def child_code(parent_code: str, local: str) -> str:
    """The code of a non-administrative unit under parent_code (see the module docstring)."""
    if not LOCAL_PART.fullmatch(local):
        raise ValueError(f"local part {local!r} must be 1-12 letters or digits")
    return parent_code + SEPARATOR + local


def ancestor_codes(code: str) -> list[str]:
    """The codes of every ancestor the code itself names, nearest first.

    A building in a compound names the compound and the community, not a grid: the grid a
    compound's building stands in is a spatial fact, not part of its code.
    """
    out: list[str] = []
    while SEPARATOR in code:
        code = code.rsplit(SEPARATOR, 1)[0]
        out.append(code)
    while len(code) > ADMIN_DIGITS[UnitKind.DISTRICT] and _DIGITS.fullmatch(code):
        code = code[:-TIER_DIGITS]
        out.append(code)
    return out


def _is_digits(code: str, n: int) -> bool:
    return len(code) == n and _DIGITS.fullmatch(code) is not None
