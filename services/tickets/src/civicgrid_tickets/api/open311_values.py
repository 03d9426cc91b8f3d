"""Reading single Open311 parameter values; every failure names the parameter it is about."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from civicgrid_tickets.api.open311_errors import Open311Error, Open311ErrorKind, open311_error

DATETIME_EXAMPLE = "2026-11-26T10:00:00+08:00"

# Plain decimal numbers only: float() would also take "nan", "inf" and "1_000".
_DECIMAL_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# An unencoded "+08:00" in a URL or form body decodes to " 08:00"; clients get this wrong often
# enough, and the meaning is unambiguous after a time of day, so the plus is put back.
_LOST_PLUS = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


def invalid(parameter: str, problem: str) -> Open311Error:
    return open311_error(Open311ErrorKind.INVALID_PARAMETER, f"{parameter}: {problem}")


def missing(parameter: str, problem: str = "required") -> Open311Error:
    return open311_error(Open311ErrorKind.MISSING_PARAMETER, f"{parameter}: {problem}")


def group_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Values by key in arrival order, stripped; an empty value counts as not given."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        text = value.strip()
        if text:
            grouped.setdefault(key, []).append(text)
    return grouped


def single_value(grouped: dict[str, list[str]], parameter: str) -> str | None:
    values = grouped.get(parameter, [])
    if len(values) > 1:
        raise invalid(parameter, "given more than once")
    return values[0] if values else None


def comma_separated(grouped: dict[str, list[str]], parameter: str) -> tuple[str, ...]:
    """Items of a comma separated parameter, also when the parameter is repeated; no duplicates."""
    items = (item.strip() for value in grouped.get(parameter, []) for item in value.split(","))
    return tuple(dict.fromkeys(item for item in items if item))


def parse_decimal(parameter: str, text: str) -> Decimal:
    if not _DECIMAL_NUMBER.fullmatch(text):
        raise invalid(parameter, "not a number")
    return Decimal(text)


def parse_coordinate(parameter: str, text: str, *, limit: int) -> float:
    """A WGS84 latitude (limit 90) or longitude (limit 180) in decimal degrees."""
    value = float(parse_decimal(parameter, text))
    if not -limit <= value <= limit:
        raise invalid(parameter, f"must be between -{limit} and {limit}")
    return value


def parse_zoned_datetime(parameter: str, text: str) -> datetime:
    """ISO 8601 date and time with a zone (Z or ±HH:MM), as GeoReport v2 requires."""
    try:
        value = datetime.fromisoformat(_LOST_PLUS.sub(r"\1+\2", text))
    except ValueError:
        raise invalid(parameter, f"not an ISO 8601 datetime, e.g. {DATETIME_EXAMPLE}") from None
    if value.utcoffset() is None:
        raise invalid(parameter, f"needs a time zone offset, e.g. {DATETIME_EXAMPLE}")
    return value
