"""CloudEvents binary-mode headers: what the relay sends is what a consumer reads back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from aiokafka.structs import ConsumerRecord
from google.protobuf.struct_pb2 import Struct
from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry.sdk.trace import TracerProvider

from civicgrid_platform.events.cloudevents import IncomingEvent, InvalidEvent, OutgoingEvent

TENANT = UUID("6f1c2a5e-8d1b-4c55-9d7e-1f2a3b4c5d6e")


def _event(**overrides: object) -> OutgoingEvent:
    fields: dict[str, object] = {
        "type": "civicgrid.example.v1.thing.created",
        "source": "/civicgrid/example",
        "tenant_id": TENANT,
        "key": "thing-42",
        "topic": "civicgrid.example.v1",
        "message": StringValue(value="hello"),
    }
    fields.update(overrides)
    return OutgoingEvent(**fields)  # type: ignore[arg-type]


def _record(
    headers: dict[str, str], value: bytes | None = b"", key: bytes | None = b"thing-42"
) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic="civicgrid.example.v1",
        partition=2,
        offset=17,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=[(name, text.encode()) for name, text in headers.items()],
    )


def _round_trip(event: OutgoingEvent) -> IncomingEvent:
    return IncomingEvent.from_record(
        _record(event.headers(), event.message.SerializeToString(), event.key.encode())
    )


def test_headers_follow_the_kafka_binary_binding() -> None:
    event = _event(subject="thing-42", time=datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=UTC))

    headers = event.headers()

    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_id"] == str(event.id)
    assert headers["ce_source"] == "/civicgrid/example"
    assert headers["ce_type"] == "civicgrid.example.v1.thing.created"
    assert headers["ce_time"] == "2030-05-06T07:08:09.123456Z"
    assert headers["ce_subject"] == "thing-42"
    assert headers["ce_dataschema"] == "google.protobuf.StringValue"
    assert headers["ce_tenantid"] == str(TENANT)
    assert headers["content-type"] == "application/protobuf"


def test_time_is_written_in_utc_whatever_zone_it_was_given_in() -> None:
    plus_two = timezone(timedelta(hours=2))
    event = _event(time=datetime(2030, 5, 6, 9, 0, tzinfo=plus_two))

    assert event.headers()["ce_time"] == "2030-05-06T07:00:00.000000Z"


def test_a_round_trip_keeps_every_attribute_and_the_payload() -> None:
    event = _event(subject="thing-42")

    incoming = _round_trip(event)

    assert incoming.id == str(event.id)
    assert incoming.type == event.type
    assert incoming.source == event.source
    assert incoming.tenant_id == TENANT
    assert incoming.subject == "thing-42"
    assert incoming.time == event.time
    assert incoming.key == "thing-42"
    assert (incoming.topic, incoming.partition, incoming.offset) == ("civicgrid.example.v1", 2, 17)
    assert incoming.decode(StringValue).value == "hello"


def test_subject_is_optional() -> None:
    event = _event()

    assert "ce_subject" not in event.headers()
    assert _round_trip(event).subject is None


def test_trace_context_of_the_caller_is_captured_in_the_headers() -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("request") as span:
        headers = _event().headers()
    context = span.get_span_context()

    version, trace_id, span_id, _flags = headers["traceparent"].split("-")
    assert version == "00"
    assert trace_id == format(context.trace_id, "032x")
    assert span_id == format(context.span_id, "016x")


def test_no_trace_context_is_invented_outside_a_span() -> None:
    assert "traceparent" not in _event().headers()


@pytest.mark.parametrize(
    "missing",
    [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_tenantid",
        "ce_dataschema",
        "content-type",
    ],
)
def test_a_missing_required_header_is_named(missing: str) -> None:
    headers = _event().headers()
    del headers[missing]

    with pytest.raises(InvalidEvent, match=f"missing required header {missing}") as caught:
        IncomingEvent.from_record(_record(headers))
    assert caught.value.header == missing


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("ce_specversion", "0.3", "ce_specversion must be '1.0'"),
        ("content-type", "application/json", "content-type must be 'application/protobuf'"),
        ("ce_tenantid", "district-7", "ce_tenantid is not a UUID"),
        ("ce_time", "yesterday", "ce_time is not an RFC 3339 time"),
        ("ce_time", "2030-05-06T07:08:09", "ce_time has no UTC offset"),
    ],
)
def test_an_invalid_header_is_named(header: str, value: str, message: str) -> None:
    headers = _event().headers()
    headers[header] = value

    with pytest.raises(InvalidEvent, match=message) as caught:
        IncomingEvent.from_record(_record(headers))
    assert caught.value.header == header


def test_a_header_that_is_not_utf8_is_named() -> None:
    record = _record(_event().headers())
    record.headers = [*record.headers, ("ce_subject", b"\xff\xfe")]

    with pytest.raises(InvalidEvent, match="header ce_subject is not UTF-8"):
        IncomingEvent.from_record(record)


def test_decoding_as_another_message_type_is_refused() -> None:
    incoming = _round_trip(_event())

    with pytest.raises(InvalidEvent, match=r"expected 'google\.protobuf\.Struct'") as caught:
        incoming.decode(Struct)
    assert caught.value.header == "ce_dataschema"


def test_an_undecodable_payload_is_an_invalid_event() -> None:
    headers = _event().headers()
    incoming = IncomingEvent.from_record(_record(headers, value=b"\x0a\xff\xff\xff"))

    with pytest.raises(InvalidEvent, match=r"payload is not a valid google\.protobuf\.StringValue"):
        incoming.decode(StringValue)


def test_an_all_default_message_travels_as_an_empty_value() -> None:
    event = _event(message=StringValue())

    assert _round_trip(event).decode(StringValue) == StringValue()


def test_events_refuse_naive_times_and_empty_routing_fields() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _event(time=datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="key must not be empty"):
        _event(key="")


def test_each_event_gets_its_own_id() -> None:
    assert _event().id != _event().id
    fixed = uuid4()
    assert _event(id=fixed).headers()["ce_id"] == str(fixed)
