"""A dead letter is the original record, addressed to <topic>.dlq, with what went wrong."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from civicgrid_platform.events.cloudevents import InvalidEvent
from civicgrid_platform.events.dead_letter import DeadLetter, dead_letter_message


def _record() -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic="civicgrid.example.v1",
        partition=1,
        offset=99,
        timestamp=0,
        timestamp_type=0,
        key=b"thing-42",
        value=b"\x0a\x02hi",
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=[("ce_type", b"civicgrid.example.v1.thing.created"), ("traceparent", b"00-x")],
    )


def test_the_original_record_goes_to_the_dlq_topic_with_error_headers() -> None:
    letter = DeadLetter.of(_record(), InvalidEvent("missing required header ce_id"))

    message = dead_letter_message(letter, "civicgrid-example")

    assert message.topic == "civicgrid.example.v1.dlq"
    assert (message.key, message.value) == (b"thing-42", b"\x0a\x02hi")
    assert list(message.headers) == [
        ("ce_type", b"civicgrid.example.v1.thing.created"),
        ("traceparent", b"00-x"),
        ("dlq_error", b"missing required header ce_id"),
        ("dlq_error_type", b"civicgrid_platform.events.cloudevents.InvalidEvent"),
        ("dlq_source_topic", b"civicgrid.example.v1"),
        ("dlq_partition", b"1"),
        ("dlq_offset", b"99"),
        ("dlq_consumer_group", b"civicgrid-example"),
    ]


def test_a_huge_error_message_is_cut_and_an_empty_one_named() -> None:
    huge = DeadLetter.of(_record(), ValueError("x" * 10_000))
    empty = DeadLetter.of(_record(), KeyError())

    assert len(dict(dead_letter_message(huge, "g").headers)["dlq_error"]) == 2000
    assert dict(dead_letter_message(empty, "g").headers)["dlq_error"] == b"KeyError"


def test_context_is_prefixed_to_the_error() -> None:
    letter = DeadLetter.of(_record(), TimeoutError("slow"), context="gave up after 5 attempts: ")

    assert letter.error == "gave up after 5 attempts: slow"
    assert letter.error_type == "builtins.TimeoutError"
