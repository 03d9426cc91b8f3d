"""SMS and voice through HTTP providers (real local HTTP servers standing in for them): the
request follows our contract, a failing provider hands the message to the next, a provider
that refuses does not stop the chain, and when none takes it every try is listed."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from civicgrid_notifications.adapters.http_provider import FallbackSender
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.usecases.ports import Outgoing
from civicgrid_testkit.local_http import LOOPBACK, LocalHttpServer, Reply, Request
from civicgrid_testkit.processes import find_free_port

pytestmark = pytest.mark.integration

TOKEN = "provider-token-for-tests"
PUBLIC_URL = "https://notifications.civicgrid.example/api/notifications"


@dataclass
class Answer:
    status: int
    body: Any = None  # JSON, or bytes as they are
    hang_seconds: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeProvider(LocalHttpServer):
    """A provider of our contract on 127.0.0.1 (the test kit's LocalHttpServer), started at
    once: answers as told (then takes every message), and remembers what it was sent."""

    def __init__(self) -> None:
        self.answers: deque[Answer] = deque()
        self.received: list[Received] = []
        self.released = threading.Event()
        super().__init__(self._reply)
        self.__enter__()

    def _reply(self, request: Request) -> Reply:
        self.received.append(
            Received(request.path, request.headers, json.loads(request.body or b"{}"))
        )
        answer = self.next_answer()
        if answer.hang_seconds:
            self.released.wait(answer.hang_seconds)
        raw = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body)
        return Reply(answer.status, raw.encode() if isinstance(raw, str) else raw)

    @property
    def name(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def answer(self, *answers: Answer) -> FakeProvider:
        self.answers.extend(answers)
        return self

    def next_answer(self) -> Answer:
        if self.answers:
            return self.answers.popleft()
        return Answer(200, {"id": f"msg-{len(self.received)}", "status": "queued"})

    def close(self) -> None:
        self.released.set()
        self.__exit__(None, None, None)


@pytest.fixture
def providers() -> Iterator[list[FakeProvider]]:
    started = [FakeProvider() for _ in range(3)]
    yield started
    for provider in started:
        provider.close()


Chain = Callable[..., FallbackSender]


@pytest.fixture
async def chain() -> AsyncIterator[Chain]:
    """Senders as the service builds them: each provider on its own client over the lean
    transport; closed after the test."""
    made: list[FallbackSender] = []

    def build(*urls: str, timeout: float = 5.0) -> FallbackSender:
        sender = FallbackSender.over(
            urls, token=TOKEN, public_url=PUBLIC_URL, timeout_seconds=timeout
        )
        made.append(sender)
        return sender

    yield build
    for sender in made:
        await sender.aclose()


def sms(channel: Channel = Channel.SMS, **changes: Any) -> Outgoing:
    values: dict[str, Any] = {
        "delivery_id": uuid.uuid4(),
        "tenant_id": uuid.uuid4(),
        "channel": channel,
        "address": "+8613800138000",
        "subject": "",
        "body": "【东城区】紧急求助！张大爷（幸福路12号）按下了一键呼叫按钮。",
        "locale": "zh-CN",
        "urgent": True,
    }
    values.update(changes)
    return Outgoing(**values)


async def test_notifications_channels_the_provider_gets_our_contract(
    providers: list[FakeProvider], chain: Chain
) -> None:
    first = providers[0]
    message = sms()

    result = await chain(first.url() + "/").send(message)

    [tried] = result.tries
    assert (tried.provider, tried.outcome, tried.status_code) == (first.name, "sent", 200)
    assert tried.provider_ref == "msg-1"
    assert tried.started_at <= tried.finished_at
    [request] = first.received
    reference = f"{message.tenant_id}:{message.delivery_id}"
    assert request.path == "/messages"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["idempotency-key"] == reference
    assert request.body == {
        "reference": reference,
        "to": "+8613800138000",
        "body": message.body,
        "kind": "sms",
        "callback_url": f"{PUBLIC_URL}/v1/providers/status",
    }


async def test_notifications_channels_a_failing_provider_hands_the_sms_to_the_next(
    providers: list[FakeProvider], chain: Chain
) -> None:
    first, second, third = providers
    first.answer(Answer(500, {"error": "gateway down"}))

    result = await chain(first.url(), second.url(), third.url()).send(sms())

    assert [(t.provider, t.outcome, t.status_code) for t in result.tries] == [
        (first.name, "error", 500),
        (second.name, "sent", 200),
    ]
    assert (result.final.provider, result.final.provider_ref) == (second.name, "msg-1")
    assert "gateway down" in result.tries[0].detail
    assert third.received == []  # the chain stops at the first that takes it
    assert first.received[0].body == second.received[0].body  # the same message, same reference


async def test_notifications_channels_busy_and_refusing_providers_do_not_stop_the_chain(
    providers: list[FakeProvider], chain: Chain
) -> None:
    first, second, third = providers
    first.answer(Answer(429, {"error": "slow down"}))
    second.answer(Answer(400, {"error": "number range not served"}))

    result = await chain(first.url(), second.url(), third.url()).send(sms())

    assert [t.outcome for t in result.tries] == ["error", "failed", "sent"]
    assert result.final.provider == third.name


async def test_notifications_channels_when_every_provider_fails_every_try_is_listed(
    providers: list[FakeProvider], chain: Chain
) -> None:
    first, second, _ = providers
    first.answer(Answer(503, b"maintenance"))
    second.answer(Answer(200, {"id": "late"}, hang_seconds=5))
    nobody = f"http://{LOOPBACK}:{find_free_port()}"

    result = await chain(first.url(), second.url(), nobody, timeout=0.5).send(sms())

    assert [(t.outcome, t.status_code) for t in result.tries] == [
        ("error", 503),
        ("error", None),
        ("error", None),
    ]
    assert result.final.outcome == "error"
    assert "maintenance" in result.tries[0].detail
    assert "no answer within 0.5 s" in result.tries[1].detail  # a timeout is an error to retry
    assert "Connect" in result.tries[2].detail


async def test_notifications_channels_when_every_provider_refuses_the_message_failed(
    providers: list[FakeProvider], chain: Chain
) -> None:
    first, second, _ = providers
    first.answer(Answer(400, {"error": "invalid number"}))
    second.answer(Answer(404, {"error": "unknown number"}))

    result = await chain(first.url(), second.url()).send(sms(address="+86000"))

    assert [(t.outcome, t.status_code) for t in result.tries] == [("failed", 400), ("failed", 404)]
    assert result.final.outcome == "failed"


async def test_notifications_channels_a_call_is_voice_and_may_be_delivered_at_once(
    providers: list[FakeProvider], chain: Chain
) -> None:
    first = providers[0].answer(Answer(200, {"id": "call-9", "status": "delivered"}))

    result = await chain(first.url()).send(sms(Channel.VOICE, body="紧急求助。请立即前往。"))

    assert (result.final.outcome, result.final.provider_ref) == ("delivered", "call-9")
    assert first.received[0].body["kind"] == "voice"
    assert first.received[0].body["body"] == "紧急求助。请立即前往。"
