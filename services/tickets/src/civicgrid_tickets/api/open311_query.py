"""GET requests.{format}: query parameters to an `Open311Query` with the spec's limits applied.

GeoReport v2: "Default query limit is a span of 90 days or first 1000 requests returned,
whichever is smallest", a start_date/end_date range "may not span more than 90 days", and
service_request_id "overrides all other arguments". The 90 days and 1000 results are server
policy, so they are parameters here with the spec's numbers as defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from civicgrid_tickets.api.open311_model import Open311Status
from civicgrid_tickets.api.open311_values import (
    comma_separated,
    group_pairs,
    invalid,
    missing,
    parse_zoned_datetime,
    single_value,
)

DEFAULT_WINDOW = timedelta(days=90)
DEFAULT_MAX_RESULTS = 1000


@dataclass(frozen=True, slots=True)
class Open311Query:
    """Which requests to list; an empty tuple means "no filter on this"."""

    service_request_ids: tuple[str, ...]  # when given, every other filter is off
    service_codes: tuple[str, ...]
    statuses: tuple[Open311Status, ...]
    start: datetime | None  # requested_datetime >= start; None only when ids are given
    end: datetime | None  # requested_datetime <= end; None only when ids are given
    jurisdiction_id: str | None
    limit: int  # return at most this many


def parse_query(
    pairs: Iterable[tuple[str, str]],
    *,
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
    max_results: int = DEFAULT_MAX_RESULTS,
    require_jurisdiction: bool = False,
) -> Open311Query:
    """Parameters this server does not know (page, extensions, ...) are ignored, not refused."""
    if now.utcoffset() is None:
        raise ValueError("now must carry a time zone")
    grouped = group_pairs(pairs)
    jurisdiction_id = single_value(grouped, "jurisdiction_id")
    if require_jurisdiction and jurisdiction_id is None:
        raise missing("jurisdiction_id")

    ids = comma_separated(grouped, "service_request_id")
    if ids:
        if len(ids) > max_results:
            raise invalid("service_request_id", f"more than {max_results} ids")
        return Open311Query(
            service_request_ids=ids,
            service_codes=(),
            statuses=(),
            start=None,
            end=None,
            jurisdiction_id=jurisdiction_id,
            limit=max_results,
        )

    start, end = _date_range(grouped, now=now, window=window)
    return Open311Query(
        service_request_ids=(),
        service_codes=comma_separated(grouped, "service_code"),
        statuses=_statuses(grouped),
        start=start,
        end=end,
        jurisdiction_id=jurisdiction_id,
        limit=max_results,
    )


def _date_range(
    grouped: dict[str, list[str]], *, now: datetime, window: timedelta
) -> tuple[datetime, datetime]:
    start_text = single_value(grouped, "start_date")
    end_text = single_value(grouped, "end_date")
    start = parse_zoned_datetime("start_date", start_text) if start_text else None
    end = parse_zoned_datetime("end_date", end_text) if end_text else None
    # A missing side is filled so the range is one window wide, ending now when both are missing.
    if start is None:
        end = now if end is None else end
        return end - window, end
    if end is None:
        return start, start + window
    if end < start:
        raise invalid("end_date", "before start_date")
    if end - start > window:
        raise invalid("end_date", f"more than {_describe(window)} after start_date")
    return start, end


def _statuses(grouped: dict[str, list[str]]) -> tuple[Open311Status, ...]:
    statuses = []
    for item in comma_separated(grouped, "status"):
        try:
            statuses.append(Open311Status(item.lower()))
        except ValueError:
            raise invalid("status", f"{item!r} is not one of: open, closed") from None
    return tuple(dict.fromkeys(statuses))


def _describe(window: timedelta) -> str:
    if window % timedelta(days=1):
        return f"{window.total_seconds():g} seconds"
    return f"{window.days} days"
