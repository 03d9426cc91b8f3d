"""The in-app inbox as its owner uses it: messages stored from events, pages newest first with a
cursor, unread counts, marking read, nobody else's messages, no inbox for a client. And the
live stream over a real HTTP server: a new message arrives at once (woken by PostgreSQL
NOTIFY, well before the stream's 15 s poll), and a client reconnecting with Last-Event-ID gets
what was stored while it was away and nothing it had already."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from civicgrid.identity.v1 import events_pb2 as identity_events
from civicgrid.volunteers.v1 import events_pb2 as volunteer_events
from civicgrid_notifications.api.routes_inbox import PING_SECONDS
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_testkit.processes import find_free_port
from services.notifications.tests.messages_support import IDENTITY, VOLUNTEERS, feed, rows
from services.notifications.tests.notifications_support import (
    TOKENS,
    District,
    SettableClock,
)

pytestmark = pytest.mark.integration

OFFER_TITLE = "A volunteering task for you"
HOLD_TITLE = "Your reserved tool is ready"
# The stream polls every PING_SECONDS; a message must arrive far sooner (woken by NOTIFY).
PROMPTLY = 5.0


async def _english_district(ctx: NotificationsContext, district: District) -> None:
    created = identity_events.TenantCreated(
        tenant_id=district.tenant, name="Lixia", timezone="Asia/Shanghai", locale="en"
    )
    outcome = await feed(ctx, (IDENTITY, "tenant.created", district.tenant_id, created))
    assert not outcome.dead


async def _tell(
    ctx: NotificationsContext, district: District, person: uuid.UUID, kind: str = "offer.made"
) -> uuid.UUID:
    """One volunteers event for `person`; the id of the inbox message it stored."""
    message = (
        volunteer_events.OfferMade(
            offer_id=str(uuid.uuid4()), task_id=str(uuid.uuid4()), person_id=str(person)
        )
        if kind == "offer.made"
        else volunteer_events.HoldReady(hold_id=str(uuid.uuid4()), person_id=str(person))
    )
    before = {r.id for r in await _stored(ctx, district, person)}
    outcome = await feed(ctx, (VOLUNTEERS, kind, district.tenant_id, message))
    assert not outcome.dead
    [new] = [r.id for r in await _stored(ctx, district, person) if r.id not in before]
    return uuid.UUID(str(new))


async def _stored(ctx: NotificationsContext, district: District, person: uuid.UUID) -> list[Any]:
    return await rows(
        ctx,
        district.tenant_id,
        "SELECT id FROM inbox_messages WHERE tenant_id = :t AND person_id = :p",
        t=district.tenant_id,
        p=person,
    )


async def _all_pages(
    api: httpx.AsyncClient, headers: dict[str, str], **params: str | int
) -> list[list[dict[str, object]]]:
    pages: list[list[dict[str, object]]] = []
    cursor: str | None = None
    while True:
        query: dict[str, str | int] = {**params, **({"cursor": cursor} if cursor else {})}
        answer = await api.get("/v1/me/inbox", params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json()["items"])
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return pages


async def test_notifications_inbox_pages_newest_first_and_marks_read(
    api: httpx.AsyncClient, timed: NotificationsContext, clock: SettableClock, district: District
) -> None:
    await _english_district(timed, district)
    me, neighbour = uuid.uuid4(), uuid.uuid4()
    mine: list[uuid.UUID] = []
    for n in range(5):
        mine.append(await _tell(timed, district, me, "offer.made" if n % 2 else "hold.ready"))
        clock.advance(minutes=1)
    theirs = await _tell(timed, district, neighbour)
    headers = district.person(me)

    first = await api.get("/v1/me/inbox", params={"limit": 2}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["unread"] == 5 and first.json()["next_cursor"]
    pages = await _all_pages(api, headers, limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    listed = [m for page in pages for m in page]
    # Newest first, every message once, none of the neighbour's.
    assert [uuid.UUID(str(m["id"])) for m in listed] == list(reversed(mine))
    assert [m["title"] for m in listed] == [
        HOLD_TITLE,
        OFFER_TITLE,
        HOLD_TITLE,
        OFFER_TITLE,
        HOLD_TITLE,
    ]
    assert [m["event_type"] for m in listed][:2] == ["hold.ready", "offer.made"]
    stamps = [str(m["created_at"]) for m in listed]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == 5
    assert all(m["read_at"] is None and m["category"] for m in listed)

    marked = await api.post(
        "/v1/me/inbox/read", json={"ids": [str(mine[0]), str(mine[1])]}, headers=headers
    )
    assert marked.status_code == 200 and marked.json() == {"marked": 2}
    again = await api.post("/v1/me/inbox/read", json={"ids": [str(mine[0])]}, headers=headers)
    assert again.json() == {"marked": 0}  # already read
    unread_pages = await _all_pages(api, headers, unread="true", limit=2)
    unread = [uuid.UUID(str(m["id"])) for page in unread_pages for m in page]
    assert unread == [mine[4], mine[3], mine[2]]
    everything = (await api.get("/v1/me/inbox", headers=headers)).json()
    assert everything["unread"] == 3 and len(everything["items"]) == 5
    read = {m["id"] for m in everything["items"] if m["read_at"] is not None}
    assert read == {str(mine[0]), str(mine[1])}

    # Someone else's message is no message of mine: the whole request changes nothing.
    stolen = await api.post(
        "/v1/me/inbox/read", json={"ids": [str(mine[2]), str(theirs)]}, headers=headers
    )
    assert stolen.status_code == 404, stolen.text
    assert stolen.headers["content-type"].startswith("application/problem+json")
    assert stolen.json()["errors"][0]["field"] == "ids"
    assert (await api.get("/v1/me/inbox", headers=headers)).json()["unread"] == 3

    everything_read = await api.post("/v1/me/inbox/read", json={}, headers=headers)
    assert everything_read.json() == {"marked": 3}
    assert (await api.get("/v1/me/inbox", headers=headers)).json()["unread"] == 0
    assert (await api.get("/v1/me/inbox", params={"unread": "true"}, headers=headers)).json()[
        "items"
    ] == []
    # The neighbour's own inbox is untouched by all of it.
    theirs_seen = (await api.get("/v1/me/inbox", headers=district.person(neighbour))).json()
    assert theirs_seen["unread"] == 1
    assert [m["id"] for m in theirs_seen["items"]] == [str(theirs)]


async def test_notifications_inbox_belongs_to_people_not_clients_nor_other_people(
    api: httpx.AsyncClient, timed: NotificationsContext, district: District
) -> None:
    await _english_district(timed, district)
    me = uuid.uuid4()
    message = await _tell(timed, district, me)
    client = TOKENS.bearer(district.tenant, subject="integrator-42", kind="client")

    for method, path, body in [
        ("GET", "/v1/me/inbox", None),
        ("POST", "/v1/me/inbox/read", {}),
        ("POST", "/v1/me/inbox/read", {"ids": [str(message)]}),
        ("GET", "/v1/me/inbox/stream", None),
    ]:
        refused = await api.request(method, path, json=body, headers=client)
        assert refused.status_code == 403, f"{method} {path}: {refused.text}"
        assert refused.headers["content-type"].startswith("application/problem+json")

    # Staff of the same district are people too, but their inbox is their own.
    staff = district.staff(uuid.uuid4())
    assert (await api.get("/v1/me/inbox", headers=staff)).json() == {
        "items": [],
        "next_cursor": None,
        "unread": 0,
    }
    assert (await api.post("/v1/me/inbox/read", json={}, headers=staff)).json() == {"marked": 0}
    nope = await api.post("/v1/me/inbox/read", json={"ids": [str(message)]}, headers=staff)
    assert nope.status_code == 404
    # The same person id signed in to another district has another (empty) inbox.
    elsewhere = TOKENS.bearer(str(uuid.uuid4()), "resident", subject=str(me))
    assert (await api.get("/v1/me/inbox", headers=elsewhere)).json()["items"] == []
    still = (await api.get("/v1/me/inbox", headers=district.person(me))).json()
    assert still["unread"] == 1 and still["items"][0]["id"] == str(message)


# --- the live stream ------------------------------------------------------------------------
@dataclass
class Served:
    app: FastAPI
    url: str


@pytest.fixture
async def served(app: FastAPI) -> AsyncIterator[Served]:
    """The app under a real uvicorn on 127.0.0.1, on the test's event loop (the database pool
    is bound to it): ASGITransport would hold a streamed answer until it ends."""
    port = find_free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        assert not serving.done(), "uvicorn stopped before it started"
        assert time.monotonic() < deadline, "uvicorn did not start"
        await asyncio.sleep(0.02)
    try:
        yield Served(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, timeout=15)
        await app.state.inbox_doorbells.aclose()


@dataclass
class Stream:
    """One open SSE connection; events parsed as they come."""

    response: httpx.Response
    lines: AsyncIterator[str] = field(init=False)

    def __post_init__(self) -> None:
        self.lines = self.response.aiter_lines()

    async def next_event(self, within: float) -> dict[str, str]:
        try:
            return await asyncio.wait_for(self._next(), timeout=within)
        except TimeoutError:
            raise AssertionError(f"no event on the stream within {within} s") from None

    async def _next(self) -> dict[str, str]:
        event: dict[str, str] = {}
        async for line in self.lines:
            if not line:
                if "data" in event:
                    return event
                event = {}
                continue
            if line.startswith(":"):
                continue  # a ping
            name, _, value = line.partition(":")
            event[name] = value.removeprefix(" ")
        raise AssertionError("the stream ended")


@asynccontextmanager
async def _listening(
    served: Served, headers: dict[str, str], last_event_id: str | None = None
) -> AsyncIterator[Stream]:
    """A stream opened and waiting: its doorbell connection is LISTENing and its first read is
    done, so whatever arrives next can only come by a ring or the slow poll."""
    if last_event_id is not None:
        headers = {**headers, "Last-Event-ID": last_event_id}
    async with (
        httpx.AsyncClient(base_url=served.url, timeout=30) as client,
        client.stream("GET", "/v1/me/inbox/stream", headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        await asyncio.wait_for(served.app.state.inbox_doorbells.listening(), timeout=10)
        await asyncio.sleep(0.5)  # the stream's first read (the ring on connecting wakes it)
        yield Stream(response)


async def test_notifications_inbox_stream_brings_a_new_message_at_once(
    served: Served, timed: NotificationsContext, clock: SettableClock, district: District
) -> None:
    await _english_district(timed, district)
    me, neighbour = uuid.uuid4(), uuid.uuid4()
    await _tell(timed, district, me, "hold.ready")  # already stored: the page shows it
    clock.advance(seconds=1)

    async with _listening(served, district.person(me)) as stream:
        started = time.monotonic()
        await _tell(timed, district, neighbour)  # not mine: never on my stream
        offer = await _tell(timed, district, me)
        event = await stream.next_event(within=PING_SECONDS - 1)
        waited = time.monotonic() - started
        assert event["event"] == "message" and event["id"] == str(offer)
        data = json.loads(event["data"])
        assert data["id"] == str(offer) and data["title"] == OFFER_TITLE
        assert data["event_type"] == "offer.made" and data["read_at"] is None
        # Woken by the commit's NOTIFY, not by the poll every PING_SECONDS.
        assert waited < PROMPTLY, f"{waited:.1f}s: the doorbell did not ring"


async def test_notifications_inbox_stream_resumes_after_last_event_id_with_nothing_older(
    served: Served, timed: NotificationsContext, clock: SettableClock, district: District
) -> None:
    await _english_district(timed, district)
    me = uuid.uuid4()
    older = await _tell(timed, district, me, "hold.ready")
    clock.advance(seconds=1)
    async with _listening(served, district.person(me)) as stream:
        seen = await _tell(timed, district, me)
        event = await stream.next_event(within=PROMPTLY)
        assert event["id"] == str(seen)

    # Away: two messages stored meanwhile (a few seconds apart, well within a stream's
    # look-back, so "older" is only left out because the client had it).
    clock.advance(seconds=1)
    missed = [await _tell(timed, district, me, "hold.ready")]
    clock.advance(seconds=1)
    missed.append(await _tell(timed, district, me))

    async with _listening(served, district.person(me), last_event_id=str(seen)) as stream:
        caught_up = [await stream.next_event(within=PROMPTLY) for _ in missed]
        names = {str(older): "older", str(seen): "seen", **{str(m): "missed" for m in missed}}
        assert [names.get(e["id"], e["id"]) for e in caught_up] == ["missed", "missed"]
        assert [e["id"] for e in caught_up] == [str(m) for m in missed]
        assert [json.loads(e["data"])["title"] for e in caught_up] == [HOLD_TITLE, OFFER_TITLE]
        # And the resumed stream is live: the next one arrives as it is stored.
        clock.advance(seconds=1)
        live = await _tell(timed, district, me, "hold.ready")
        arrived = await stream.next_event(within=PROMPTLY)
        assert arrived["id"] == str(live)
