"""The sender's HTTP/1.1 transport against real sockets on 127.0.0.1 that misbehave: a kept-
alive connection the server dropped unanswered is replaced and the message sent on a new one;
a truncated answer is a failed attempt, never a delivery; a slow endpoint gets no more than its
share of connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.usecases.webhook_ports import WebhookPost
from civicgrid_testkit.processes import LOOPBACK

pytestmark = pytest.mark.integration

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head + await reader.readexactly(length)


@asynccontextmanager
async def _serving(handler: Handler) -> AsyncIterator[WebhookPost]:
    """A message for a server on 127.0.0.1 handling each connection with `handler`."""
    server = await asyncio.start_server(handler, LOOPBACK, 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield WebhookPost(f"http://{LOOPBACK}:{port}/in", b"{}", {}, allow_internal=True)


@pytest.fixture
async def sender() -> AsyncIterator[HttpWebhookSender]:
    made = HttpWebhookSender(timeout=5.0, per_endpoint=2)
    yield made
    await made.aclose()


async def test_notifications_webhook_a_dropped_kept_alive_connection_is_replaced(
    sender: HttpWebhookSender,
) -> None:
    requests: list[bytes] = []

    async def answer_once_per_connection(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        requests.append(await _request(reader))
        writer.write(OK)
        await writer.drain()
        requests.append(await _request(reader))  # the next one on this connection: dropped
        writer.close()

    async with _serving(answer_once_per_connection) as post:
        first = await sender.post(post)
        second = await sender.post(post)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.response == "ok"
    assert len(requests) == 3  # the second message went out twice: dropped, then answered


async def test_notifications_webhook_a_truncated_answer_is_a_failed_attempt(
    sender: HttpWebhookSender,
) -> None:
    async def truncate(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        writer.close()

    async with _serving(truncate) as post:
        reply = await sender.post(post)

    assert reply.status_code is None and reply.error == "protocol"


async def test_notifications_webhook_an_endpoint_gets_at_most_its_share_of_connections(
    sender: HttpWebhookSender,
) -> None:
    open_now = most = 0

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        try:
            while True:
                await _request(reader)
                await asyncio.sleep(0.05)
                writer.write(OK)
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass
        finally:
            open_now -= 1

    async with _serving(slow) as post:
        replies = await asyncio.gather(*(sender.post(post) for _ in range(10)))

    assert {r.status_code for r in replies} == {200}
    assert most == 2  # per_endpoint
