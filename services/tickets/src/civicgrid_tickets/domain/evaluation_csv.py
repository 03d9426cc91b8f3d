"""The published monthly evaluation as CSV text.

Columns, always in this order (name only when names are given):
    month, unit_id, [name,] parent_id, level, rank, score, received,
    <the figures in FIGURE_NAMES order>, unranked_reason, formula_version
Rates and shares are ratios from 0 to 1 with 4 decimals (0.8333), median_resolve_hours and
score have 2 decimals; every number is rounded exactly, half to even. None is an empty cell.
Lines end with CRLF (RFC 4180). The result is text: the caller encodes it as UTF-8 (with a BOM
if it is meant to be opened by double-click in Excel, which otherwise misreads non-ASCII names).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from fractions import Fraction

from civicgrid_platform.errors import InvalidInput
from civicgrid_tickets.domain.evaluation_figures import FIGURE_NAMES
from civicgrid_tickets.domain.evaluation_ranking import UnitEvaluation
from civicgrid_tickets.domain.evaluation_scoring import round_half_even

RATE_DECIMALS = 4
HOURS_DECIMALS = 2
_FIGURE_DECIMALS = {name: RATE_DECIMALS for name in FIGURE_NAMES} | {
    "median_resolve_hours": HOURS_DECIMALS
}
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
# A cell starting with one of these is run as a formula by spreadsheet programs; the published
# file is opened by officials in exactly such programs, so caller-supplied text is defused.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_csv(
    evaluations: Iterable[UnitEvaluation],
    month: str,
    names: Mapping[str, str] | None = None,
) -> str:
    """The evaluations as CSV, one row each in the order given, after a header row.

    month: "YYYY-MM", repeated on every row so that months can be concatenated.
    names: unit_id -> display name; when given, a name column follows unit_id (empty for a
    unit without a name)."""
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise InvalidInput("month must be YYYY-MM, e.g. 2024-05", field="month")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = ["month", "unit_id", "parent_id", "level", "rank", "score", "received"]
    header += [*FIGURE_NAMES, "unranked_reason", "formula_version"]
    if names is not None:
        header.insert(2, "name")
    writer.writerow(header)
    for unit in evaluations:
        row = [
            month,
            _text(unit.unit_id),
            _text(unit.parent_id),
            unit.level.value,
            "" if unit.rank is None else str(unit.rank),
            "" if unit.score is None else f"{unit.score:.2f}",
            str(unit.received),
        ]
        row += [_fixed(unit.figures.value(name), _FIGURE_DECIMALS[name]) for name in FIGURE_NAMES]
        row += [unit.unranked_reason or "", str(unit.formula_version)]
        if names is not None:
            row.insert(2, _text(names.get(unit.unit_id)))
        writer.writerow(row)
    return out.getvalue()


def _fixed(value: Fraction | None, places: int) -> str:
    if value is None:
        return ""
    return f"{round_half_even(value, places):.{places}f}"


def _text(value: str | None) -> str:
    if value is None:
        return ""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value
