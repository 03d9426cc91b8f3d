"""Dead letters: a record no handler can apply goes, unchanged, to ``<topic>.dlq``.

The original key, value and headers are kept so the record can be inspected and replayed as it
was; the ``dlq_*`` headers say what went wrong and where the record came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.structs import ConsumerRecord

from civicgrid_platform.events.producer import KafkaMessage
from civicgrid_platform.events.topics import dlq_topic

ERROR_HEADER = "dlq_error"
ERROR_TYPE_HEADER = "dlq_error_type"
SOURCE_TOPIC_HEADER = "dlq_source_topic"
PARTITION_HEADER = "dlq_partition"
OFFSET_HEADER = "dlq_offset"
CONSUMER_GROUP_HEADER = "dlq_consumer_group"

# Enough to read a stack-free error message; bounded so a huge one cannot bloat the record.
_MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class DeadLetter:
    record: ConsumerRecord[bytes, bytes]
    error_type: str
    error: str

    @classmethod
    def of(
        cls, record: ConsumerRecord[bytes, bytes], error: BaseException, *, context: str = ""
    ) -> DeadLetter:
        kind = type(error)
        message = str(error) or kind.__name__
        return cls(record, f"{kind.__module__}.{kind.__qualname__}", context + message)


def dead_letter_headers(letter: DeadLetter, consumer_group: str) -> list[tuple[str, bytes]]:
    record = letter.record
    return [
        *record.headers,
        (ERROR_HEADER, letter.error[:_MAX_ERROR_LENGTH].encode()),
        (ERROR_TYPE_HEADER, letter.error_type.encode()),
        (SOURCE_TOPIC_HEADER, record.topic.encode()),
        (PARTITION_HEADER, str(record.partition).encode()),
        (OFFSET_HEADER, str(record.offset).encode()),
        (CONSUMER_GROUP_HEADER, consumer_group.encode()),
    ]


def dead_letter_message(letter: DeadLetter, consumer_group: str) -> KafkaMessage:
    """The original record, addressed to its topic's dead-letter topic, with the dlq_* headers."""
    record = letter.record
    return KafkaMessage(
        dlq_topic(record.topic),
        key=record.key,
        value=record.value,
        headers=dead_letter_headers(letter, consumer_group),
    )
