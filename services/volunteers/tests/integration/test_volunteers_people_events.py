"""Volunteers' copy of people follows identity's person.registered and person.updated events,
applied through the platform's inbox-guarded batch handling (the consumer's own path) into the
real database: names, party category and branch, living alone. An update that carries only
emergency contacts leaves the copy alone, a redelivered event has no second effect, and an
unreadable event is set aside for the dead-letter topic while the rest of its batch commits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from google.protobuf.message import Message

from civicgrid.identity.v1 import events_pb2 as identity_events
from civicgrid.identity.v1 import identity_service_pb2 as identity_pb
from civicgrid_platform.events.cloudevents import InvalidEvent, OutgoingEvent
from civicgrid_platform.events.consumer import ConsumerRunner
from civicgrid_platform.events.dead_letter import dead_letter_message
from civicgrid_platform.events.handling import Outcome
from civicgrid_platform.events.producer import create_producer
from civicgrid_platform.events.topics import TopicSpec, dlq_topic, ensure_topics
from civicgrid_testkit import unique_name
from civicgrid_testkit.events import consume as consume_batch
from civicgrid_testkit.events import record
from civicgrid_volunteers.db.people_repo import PeopleRepository, Person
from civicgrid_volunteers.events.incoming import CONSUMER_GROUP, HANDLERS, IDENTITY_TOPIC
from civicgrid_volunteers.usecases.context import VolunteersContext

pytestmark = pytest.mark.integration

REGISTERED = f"{IDENTITY_TOPIC}.person.registered"
UPDATED = f"{IDENTITY_TOPIC}.person.updated"


def identity_event(
    tenant: uuid.UUID, person: uuid.UUID, message: Message, topic: str = IDENTITY_TOPIC
) -> OutgoingEvent:
    """The CloudEvent identity's outbox writes for `message`, keyed by the person."""
    return OutgoingEvent(
        type=REGISTERED if isinstance(message, identity_events.PersonRegistered) else UPDATED,
        source="/civicgrid/identity",
        tenant_id=tenant,
        key=str(person),
        topic=topic,
        message=message,
    )


async def consume(ctx: VolunteersContext, records: Sequence[ConsumerRecord]) -> Outcome:
    """One polled batch as ConsumerRunner applies it (see civicgrid_testkit.events)."""
    return await consume_batch(ctx.uow, CONSUMER_GROUP, HANDLERS, records)


async def person_of(ctx: VolunteersContext, tenant: uuid.UUID, person: uuid.UUID) -> Person | None:
    async with ctx.uow(tenant_id=tenant) as uow:
        return await PeopleRepository(uow.session, tenant).get(person)


def registered(person: uuid.UUID, **fields: Any) -> identity_events.PersonRegistered:
    values: dict[str, Any] = {
        "display_name": "Wang Fang",
        "party_category": identity_pb.PARTY_CATEGORY_DIRECT,
        "party_branch": "East street branch",
        "living_alone": True,
        **fields,
    }
    return identity_events.PersonRegistered(person_id=str(person), **values)


async def test_volunteers_a_registered_person_is_kept_with_party_category_and_branch(
    volunteers_ctx: VolunteersContext,
) -> None:
    tenant, person, outsider = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    member = identity_event(tenant, person, registered(person))
    resident = identity_event(
        tenant,
        outsider,
        registered(
            outsider,
            display_name="Zhao Lei",
            party_category=identity_pb.PARTY_CATEGORY_UNSPECIFIED,
            party_branch="",
            living_alone=False,
        ),
    )

    outcome = await consume(volunteers_ctx, [record(member, 0), record(resident, 1)])

    assert (outcome.processed, outcome.duplicates, outcome.dead) == (2, 0, [])
    assert await person_of(volunteers_ctx, tenant, person) == Person(
        person, "Wang Fang", "direct", "East street branch", True
    )
    assert await person_of(volunteers_ctx, tenant, outsider) == Person(
        outsider, "Zhao Lei", "", "", False
    )
    assert await person_of(volunteers_ctx, uuid.uuid4(), person) is None  # another district


@pytest.mark.parametrize(
    ("category", "kept"),
    [
        (identity_pb.PARTY_CATEGORY_DUAL, "dual"),
        (identity_pb.PARTY_CATEGORY_TAKEOVER, "takeover"),
        (identity_pb.PARTY_CATEGORY_FLOATING, "floating"),
        (identity_pb.PARTY_CATEGORY_FOCUSED, "focused"),
    ],
)
async def test_volunteers_every_party_category_is_kept_by_its_name(
    volunteers_ctx: VolunteersContext, category: int, kept: str
) -> None:
    tenant, person = uuid.uuid4(), uuid.uuid4()
    event = identity_event(tenant, person, registered(person, party_category=category))

    await consume(volunteers_ctx, [record(event, 0)])

    found = await person_of(volunteers_ctx, tenant, person)
    assert found is not None and found.party_category == kept


async def test_volunteers_an_update_of_the_name_or_party_overwrites_the_copy(
    volunteers_ctx: VolunteersContext,
) -> None:
    tenant, person = uuid.uuid4(), uuid.uuid4()
    await consume(volunteers_ctx, [record(identity_event(tenant, person, registered(person)), 0)])
    renamed = identity_events.PersonUpdated(
        person_id=str(person),
        changed_fields=["display_name", "party_branch", "party_category"],
        display_name="Wang Fang (retired)",
        party_category=identity_pb.PARTY_CATEGORY_FLOATING,
        party_branch="West street branch",
        living_alone=True,
    )
    left_party = identity_events.PersonUpdated(
        person_id=str(person),
        changed_fields=["party_category"],
        display_name="Wang Fang (retired)",
        party_category=identity_pb.PARTY_CATEGORY_UNSPECIFIED,
        party_branch="West street branch",
        living_alone=False,
    )

    await consume(volunteers_ctx, [record(identity_event(tenant, person, renamed), 1)])
    assert await person_of(volunteers_ctx, tenant, person) == Person(
        person, "Wang Fang (retired)", "floating", "West street branch", True
    )
    await consume(volunteers_ctx, [record(identity_event(tenant, person, left_party), 2)])
    assert await person_of(volunteers_ctx, tenant, person) == Person(
        person, "Wang Fang (retired)", "", "West street branch", False
    )


async def test_volunteers_an_update_of_emergency_contacts_only_keeps_the_name_and_party(
    volunteers_ctx: VolunteersContext,
) -> None:
    tenant, person = uuid.uuid4(), uuid.uuid4()
    await consume(volunteers_ctx, [record(identity_event(tenant, person, registered(person)), 0)])
    # As identity sends it: only changed_fields set, every other field at its default.
    contacts = identity_events.PersonUpdated(
        person_id=str(person), changed_fields=["emergency_contacts"]
    )
    phone = identity_events.PersonUpdated(person_id=str(person), changed_fields=["phone"])

    outcome = await consume(
        volunteers_ctx,
        [
            record(identity_event(tenant, person, contacts), 1),
            record(identity_event(tenant, person, phone), 2),
        ],
    )

    assert (outcome.processed, outcome.dead) == (2, [])
    assert await person_of(volunteers_ctx, tenant, person) == Person(
        person, "Wang Fang", "direct", "East street branch", True
    )


async def test_volunteers_a_redelivered_event_has_no_second_effect(
    volunteers_ctx: VolunteersContext,
) -> None:
    tenant, person = uuid.uuid4(), uuid.uuid4()
    first = identity_event(tenant, person, registered(person))
    renamed = identity_event(
        tenant,
        person,
        identity_events.PersonUpdated(
            person_id=str(person),
            changed_fields=["display_name"],
            display_name="Wang Fang-Li",
            party_category=identity_pb.PARTY_CATEGORY_DIRECT,
            party_branch="East street branch",
            living_alone=True,
        ),
    )
    # The same registration twice in one batch, then again after the rename (a rebalance
    # re-sends what was not yet committed): were it applied again, the old name would return.
    together = await consume(volunteers_ctx, [record(first, 0), record(first, 0)])
    await consume(volunteers_ctx, [record(renamed, 1)])
    again = await consume(volunteers_ctx, [record(first, 0), record(renamed, 1)])

    assert (together.processed, together.duplicates) == (1, 1)
    assert (again.processed, again.duplicates) == (0, 2)
    found = await person_of(volunteers_ctx, tenant, person)
    assert found is not None and found.display_name == "Wang Fang-Li"


async def test_volunteers_an_unreadable_person_event_is_a_dead_letter_and_its_batch_commits(
    volunteers_ctx: VolunteersContext,
) -> None:
    tenant, person, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    garbled = record(identity_event(tenant, person, registered(person)), 0, value=b"\x0a\xff\xff")
    not_a_uuid = record(
        identity_event(tenant, person, identity_events.PersonRegistered(person_id="p-17")), 1
    )
    good = record(identity_event(tenant, other, registered(other)), 2)

    outcome = await consume(volunteers_ctx, [garbled, not_a_uuid, good])

    assert outcome.processed == 1
    assert [letter.record.offset for letter in outcome.dead] == [0, 1]
    decode_error, bad_id = outcome.dead
    assert decode_error.error_type == (f"{InvalidEvent.__module__}.{InvalidEvent.__qualname__}")
    assert decode_error.error.startswith("payload is not a valid civicgrid.identity.v1.")
    assert (bad_id.error_type, bad_id.error) == (
        "civicgrid_platform.errors.InvalidInput",
        "not a valid UUID",
    )
    letter = dead_letter_message(decode_error, CONSUMER_GROUP)
    assert letter.topic == f"{IDENTITY_TOPIC}.dlq" and letter.value == garbled.value
    assert await person_of(volunteers_ctx, tenant, person) is None
    assert await person_of(volunteers_ctx, tenant, other) is not None


async def read_topic(bootstrap: str, topic: str, expected: int) -> list[ConsumerRecord]:
    """The topic's records from the start (no consumer group), once `expected` are there."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[ConsumerRecord] = []
    try:
        async with asyncio.timeout(30):
            while len(found) < expected:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    found.extend(records)
    finally:
        await consumer.stop()
    return found


async def test_volunteers_the_consumer_sends_an_unreadable_person_event_to_the_dlq(
    volunteers_ctx: VolunteersContext, kafka: Any
) -> None:
    """End to end over Kafka, with the service's handlers and consumer group."""
    topic = unique_name("identity_events")
    await ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic, partitions=1)])  # and .dlq
    tenant, person, broken = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    good = record(identity_event(tenant, person, registered(person), topic), 0)
    bad = record(identity_event(tenant, broken, registered(broken), topic), 1, value=b"\xff")
    producer = await create_producer(kafka.bootstrap_servers, client_id="test-identity")
    try:
        for sent in (good, bad, good):  # the registration comes again: a redelivery
            await producer.send_and_wait(
                topic, sent.value, key=sent.key, headers=list(sent.headers)
            )
        runner = ConsumerRunner(
            kafka.bootstrap_servers,
            f"{CONSUMER_GROUP}-{uuid.uuid4().hex[:8]}",
            [topic],
            HANDLERS,
            volunteers_ctx.uow,
            dlq_producer=producer,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        stats = runner.stats
        async with asyncio.timeout(30):
            while stats.processed + stats.duplicates + stats.dead_lettered < 3:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        stop.set()
        await task
        [letter] = await read_topic(kafka.bootstrap_servers, dlq_topic(topic), expected=1)
    finally:
        await producer.stop()

    assert (stats.processed, stats.duplicates, stats.dead_lettered) == (1, 1, 1)
    headers = {name: value.decode() for name, value in letter.headers}
    assert (letter.key, letter.value) == (str(broken).encode(), b"\xff")
    assert headers["dlq_error_type"] == f"{InvalidEvent.__module__}.{InvalidEvent.__qualname__}"
    assert headers["ce_type"] == REGISTERED
    found = await person_of(volunteers_ctx, tenant, person)
    assert found is not None and found.party_branch == "East street branch"
    assert await person_of(volunteers_ctx, tenant, broken) is None
