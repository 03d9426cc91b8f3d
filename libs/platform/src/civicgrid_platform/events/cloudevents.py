"""CloudEvents 1.0 in Kafka binary mode with protobuf data.

Attributes travel as ``ce_*`` headers, the record value is the serialized protobuf message and
``ce_dataschema`` names that message, so a consumer can refuse bytes of the wrong type before
decoding them. ``ce_tenantid`` is our extension carrying the tenant; the W3C trace context
travels as ``traceparent``/``tracestate`` next to them.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypeVar
from uuid import UUID

from google.protobuf.message import DecodeError, Message
from opentelemetry import propagate

from civicgrid_platform.ids import new_uuid

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/protobuf"

SPECVERSION_HEADER = "ce_specversion"
ID_HEADER = "ce_id"
SOURCE_HEADER = "ce_source"
TYPE_HEADER = "ce_type"
TIME_HEADER = "ce_time"
SUBJECT_HEADER = "ce_subject"
DATASCHEMA_HEADER = "ce_dataschema"
TENANT_HEADER = "ce_tenantid"
CONTENT_TYPE_HEADER = "content-type"

M = TypeVar("M", bound=Message)


class InvalidEvent(ValueError):
    """A record that is not a CloudEvent we can read; never worth retrying."""

    def __init__(self, detail: str, *, header: str | None = None) -> None:
        super().__init__(detail)
        self.header = header


def _utc_now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, the form CloudEvents examples and most tools expect."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True, kw_only=True)
class OutgoingEvent:
    """An event a use case announces; written to the outbox, published later by the relay.

    ``key`` is the aggregate id: it becomes the Kafka key, so one aggregate's events land in one
    partition and stay in order.
    """

    type: str
    source: str
    tenant_id: UUID
    key: str
    topic: str
    message: Message
    subject: str | None = None
    id: UUID = field(default_factory=new_uuid)  # time-ordered: consumers' inbox keys stay local
    time: datetime = field(default_factory=_utc_now)

    def __post_init__(self) -> None:
        for name in ("type", "source", "key", "topic"):
            if not getattr(self, name):
                raise ValueError(f"OutgoingEvent.{name} must not be empty")
        if self.time.tzinfo is None:
            raise ValueError("OutgoingEvent.time must be timezone-aware")

    @property
    def dataschema(self) -> str:
        return self.message.DESCRIPTOR.full_name

    def headers(self, trace_context: Mapping[str, str] | None = None) -> dict[str, str]:
        """The Kafka headers, with the trace context that is current at the time of the call.

        The unit of work calls this when the event is added, inside the request's span, so the
        relay's later publish carries the request's trace rather than its own. A caller adding
        many events in one context passes the propagated ``trace_context`` it computed once.
        """
        headers = {
            SPECVERSION_HEADER: SPEC_VERSION,
            ID_HEADER: str(self.id),
            SOURCE_HEADER: self.source,
            TYPE_HEADER: self.type,
            TIME_HEADER: format_time(self.time),
            DATASCHEMA_HEADER: self.dataschema,
            TENANT_HEADER: str(self.tenant_id),
            CONTENT_TYPE_HEADER: CONTENT_TYPE,
        }
        if self.subject is not None:
            headers[SUBJECT_HEADER] = self.subject
        if trace_context is None:
            propagate.inject(headers)
        else:
            headers.update(trace_context)
        return headers


class KafkaRecord(Protocol):
    """What we read from a consumed record (aiokafka's ConsumerRecord has it)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


@dataclass(frozen=True, kw_only=True)
class IncomingEvent:
    """A consumed CloudEvent whose required attributes have been checked."""

    id: str
    type: str
    source: str
    tenant_id: UUID
    dataschema: str
    data: bytes
    time: datetime | None
    subject: str | None
    key: str | None
    topic: str
    partition: int
    offset: int
    headers: Mapping[str, str]

    @classmethod
    def from_record(cls, record: KafkaRecord) -> IncomingEvent:
        headers = _decode_headers(record.headers)
        if _required(headers, SPECVERSION_HEADER) != SPEC_VERSION:
            raise InvalidEvent(
                f"{SPECVERSION_HEADER} must be {SPEC_VERSION!r}, "
                f"got {headers[SPECVERSION_HEADER]!r}",
                header=SPECVERSION_HEADER,
            )
        if _required(headers, CONTENT_TYPE_HEADER) != CONTENT_TYPE:
            raise InvalidEvent(
                f"{CONTENT_TYPE_HEADER} must be {CONTENT_TYPE!r}, "
                f"got {headers[CONTENT_TYPE_HEADER]!r}",
                header=CONTENT_TYPE_HEADER,
            )
        return cls(
            id=_required(headers, ID_HEADER),
            type=_required(headers, TYPE_HEADER),
            source=_required(headers, SOURCE_HEADER),
            tenant_id=_parse_uuid(headers, TENANT_HEADER),
            dataschema=_required(headers, DATASCHEMA_HEADER),
            # An all-default protobuf message serializes to no bytes at all.
            data=record.value or b"",
            time=_parse_time(headers),
            subject=headers.get(SUBJECT_HEADER),
            key=_decode_key(record.key),
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            headers=headers,
        )

    def decode(self, message_type: builtins.type[M]) -> M:
        """The payload as ``message_type``, refused unless ``ce_dataschema`` names that type."""
        expected = message_type.DESCRIPTOR.full_name
        if self.dataschema != expected:
            raise InvalidEvent(
                f"{DATASCHEMA_HEADER} is {self.dataschema!r}, expected {expected!r}",
                header=DATASCHEMA_HEADER,
            )
        message = message_type()
        try:
            message.ParseFromString(self.data)
        except DecodeError as exc:
            raise InvalidEvent(f"payload is not a valid {expected}: {exc}") from exc
        return message


def _decode_headers(raw: Sequence[tuple[str, bytes | None]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        try:
            headers[name] = (value or b"").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEvent(f"header {name} is not UTF-8", header=name) from exc
    return headers


def _required(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if not value:
        raise InvalidEvent(f"missing required header {name}", header=name)
    return value


def _parse_uuid(headers: Mapping[str, str], name: str) -> UUID:
    value = _required(headers, name)
    try:
        return UUID(value)
    except ValueError as exc:
        raise InvalidEvent(f"header {name} is not a UUID: {value!r}", header=name) from exc


def _parse_time(headers: Mapping[str, str]) -> datetime | None:
    value = headers.get(TIME_HEADER)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidEvent(
            f"header {TIME_HEADER} is not an RFC 3339 time: {value!r}", header=TIME_HEADER
        ) from exc
    if moment.tzinfo is None:
        raise InvalidEvent(f"header {TIME_HEADER} has no UTC offset: {value!r}", header=TIME_HEADER)
    return moment


def _decode_key(key: bytes | None) -> str | None:
    if key is None:
        return None
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEvent("record key is not UTF-8") from exc
