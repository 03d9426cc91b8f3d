"""Small pieces every event rule uses: ids from payloads, and a notice for an event."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC
from uuid import UUID

from google.protobuf.timestamp_pb2 import Timestamp

from civicgrid_notifications.domain.notices import Notice, Recipient
from civicgrid_platform.errors import parse_uuid
from civicgrid_platform.events.cloudevents import IncomingEvent

# Event ids are UUIDs on this platform; anything else still gets a stable one.
_FOREIGN_IDS = uuid.UUID("0e0c3f5a-8f3b-4f54-9a8c-6b7f3c1d2e11")


def event_uuid(event: IncomingEvent) -> UUID:
    try:
        return UUID(event.id)
    except ValueError:
        return uuid.uuid5(_FOREIGN_IDS, event.id)


def moment(stamp: Timestamp) -> str:
    """A payload's timestamp as ISO text for templates; "" when unset."""
    return stamp.ToDatetime(tzinfo=UTC).isoformat() if stamp.seconds else ""


def optional_uuid(value: str, field: str, *, strict: bool = True) -> UUID | None:
    """An id that may be empty; a malformed one is a bad event (strict) or simply unknown."""
    if not value:
        return None
    if strict:
        return parse_uuid(value, field)
    try:
        return UUID(value)
    except ValueError:
        return None


def notice(
    event: IncomingEvent,
    event_type: str,
    variables: Mapping[str, str],
    to: tuple[Recipient, ...],
    *,
    exclude: UUID | None = None,
    link: str = "",
    digest_to: tuple[Recipient, ...] = (),
    digest_kind: str = "",
    digest_line: str = "",
) -> Notice:
    return Notice(
        event_id=event_uuid(event),
        tenant_id=event.tenant_id,
        event_type=event_type,
        variables=dict(variables),
        to=to,
        digest_to=digest_to,
        digest_kind=digest_kind,
        digest_line=digest_line,
        exclude=frozenset({exclude}) if exclude else frozenset(),
        link=link,
    )
