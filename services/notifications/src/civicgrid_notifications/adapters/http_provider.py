"""SMS and voice through HTTP providers, with fallback from one provider to the next.

Our provider contract (any SMS or voice gateway is put behind it, directly or by a small shim):

    POST {base_url}/messages
    Authorization: Bearer <provider_token>
    Idempotency-Key: <reference>
    Content-Type: application/json

    {"reference": "<tenant id>:<delivery id>", "to": "<phone number>", "body": "<text>",
     "kind": "sms" | "voice", "callback_url": "<public_url>/v1/providers/status"}

`body` is the text to send, or to read out on a call. The same reference comes again when we
try a message again (after a timeout, say): a provider should take it as the same message.

Answers, and what they mean for the message:
- 2xx with {"id": "<provider's message id>", "status": "queued" | "sent" | "delivered"}: taken;
  the attempt is "delivered" for "delivered", otherwise "sent", and the id is kept to match
  the provider's status callback. A 2xx without a readable id still counts as taken (sending
  again could reach the person twice); its callbacks are matched by reference alone.
- 4xx other than 408 and 429: this provider refuses this message for good ("failed").
- 408, 429, 5xx, no answer within the timeout, no connection: try again later ("error").

The provider later reports the outcome: POST <callback_url> with the same bearer token and
{"id": "<its message id>", "reference": "<reference>", "status": "delivered" | "failed",
"detail": "<why>"} (see api.routes_providers).

Fallback (FallbackSender): providers are tried in the configured order until one takes the
message. A refusal (4xx) from one provider does not stop the chain either: it says the
request does not suit that provider (a number range it does not serve, a rule of its own),
and the next may take it. The message has failed for good only when every provider refused;
when one of them only had an error, trying again later can still reach the person. Each
provider tried is one ProviderTry of the SendResult, in order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from civicgrid_notifications.adapters.webhook_transport import PinnedTransport
from civicgrid_notifications.usecases.context import utc_now
from civicgrid_notifications.usecases.ports import (
    Outgoing,
    ProviderTry,
    SendResult,
    TryOutcome,
)
from civicgrid_notifications.usecases.provider_status import STATUS_PATH, delivery_reference
from civicgrid_notifications.usecases.webhook_ports import SystemResolver

# deliveries.provider and delivery_attempts.provider hold 64 characters, provider_ref 128.
_NAME_LENGTH = 64
_REF_LENGTH = 128
_DETAIL_LENGTH = 300
_TAKEN = frozenset({"sent", "delivered"})


def provider_name(base_url: str) -> str:
    """host:port of the provider's URL: how attempts name it unless a name is configured."""
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"[:_NAME_LENGTH]


def classify_answer(status_code: int, content: bytes) -> tuple[TryOutcome, str | None, str]:
    """(outcome, the provider's message id, detail) for one HTTP answer of a provider."""
    if 200 <= status_code < 300:
        return _taken(status_code, content)
    detail = f"HTTP {status_code}: {_excerpt(content)}".rstrip(": ")
    if status_code in (408, 429) or status_code >= 500:
        return "error", None, detail
    if 400 <= status_code < 500:
        return "failed", None, detail
    return "error", None, f"unexpected answer {detail}"  # 1xx, 3xx: not our contract


def _taken(status_code: int, content: bytes) -> tuple[TryOutcome, str | None, str]:
    try:
        answer = json.loads(content)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return "sent", None, f"HTTP {status_code}, taken without a readable id"
    outcome: TryOutcome = "delivered" if answer.get("status") == "delivered" else "sent"
    ref = answer.get("id")
    if isinstance(ref, int) and not isinstance(ref, bool):
        ref = str(ref)
    if not isinstance(ref, str) or not ref or len(ref) > _REF_LENGTH or "\x00" in ref:
        return outcome, None, f"HTTP {status_code}, taken without a usable id"
    return outcome, ref, ""


def _excerpt(content: bytes) -> str:
    return content.decode("utf-8", "replace").replace("\x00", "")[:_DETAIL_LENGTH].strip()


def provider_client() -> httpx.AsyncClient:
    """A client for one provider over the lean HTTP/1.1 transport webhooks use: httpx's own
    costs about 2 ms of CPU a request (see adapters.webhook_transport), which an alert's first
    messages paid on every press. Providers are the operator's choice, so internal addresses
    are allowed."""
    transport = PinnedTransport(SystemResolver(), True, httpx.create_ssl_context())
    return httpx.AsyncClient(transport=transport, trust_env=False, follow_redirects=False)


class HttpProvider:
    """One provider of the contract above."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str,
        callback_url: str,
        client: httpx.AsyncClient,
        timeout_seconds: float = 5.0,
        name: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.url = base_url.rstrip("/") + "/messages"
        self.name = (name or provider_name(base_url))[:_NAME_LENGTH]
        # No token configured (a provider on a private network): send no Authorization at all.
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._callback_url = callback_url
        self._client = client
        self._timeout = timeout_seconds
        self._clock = clock

    async def attempt(self, message: Outgoing) -> ProviderTry:
        """One try; never raises for the provider's failure."""
        reference = delivery_reference(message.tenant_id, message.delivery_id)
        request = {
            "reference": reference,
            "to": message.address,
            "body": message.body,
            "kind": message.channel.value,
            "callback_url": self._callback_url,
        }
        started = self._clock()
        try:
            # The whole exchange within the timeout: httpx's own limits are per read, and a
            # provider trickling bytes would otherwise hold the delivery for long.
            async with asyncio.timeout(self._timeout):
                answer = await self._client.post(
                    self.url,
                    json=request,
                    headers={**self._headers, "Idempotency-Key": reference},
                    timeout=self._timeout,
                )
        except (TimeoutError, httpx.TimeoutException):
            return self._tried(started, "error", None, f"no answer within {self._timeout:g} s")
        except httpx.HTTPError as error:
            return self._tried(started, "error", None, f"{type(error).__name__}: {error}")
        outcome, ref, detail = classify_answer(answer.status_code, answer.content)
        return self._tried(started, outcome, answer.status_code, detail, ref)

    def _tried(
        self,
        started: datetime,
        outcome: TryOutcome,
        status_code: int | None,
        detail: str,
        ref: str | None = None,
    ) -> ProviderTry:
        return ProviderTry(
            provider=self.name,
            outcome=outcome,
            started_at=started,
            finished_at=self._clock(),
            status_code=status_code,
            detail=detail[:_DETAIL_LENGTH],
            provider_ref=ref,
        )


class FallbackSender:
    """A Sender over providers tried in order (see the module's account of fallback)."""

    def __init__(
        self, providers: Sequence[HttpProvider], *, owned: Sequence[httpx.AsyncClient] = ()
    ) -> None:
        """`owned`: the clients this sender made, closed by aclose()."""
        if not providers:
            raise ValueError("a fallback sender needs at least one provider")
        self.providers = tuple(providers)
        self._owned = tuple(owned)

    @classmethod
    def over(
        cls,
        base_urls: Sequence[str],
        *,
        token: str,
        public_url: str,
        client: httpx.AsyncClient | None = None,
        timeout_seconds: float = 5.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> FallbackSender:
        """Providers at these base URLs, in this order, calling back at public_url; each on a
        client of its own (`provider_client`) unless one `client` is given for all."""
        callback_url = public_url.rstrip("/") + STATUS_PATH
        owned = [] if client is not None else [provider_client() for _ in base_urls]
        return cls(
            [
                HttpProvider(
                    url,
                    token=token,
                    callback_url=callback_url,
                    client=client or owned[n],
                    timeout_seconds=timeout_seconds,
                    clock=clock,
                )
                for n, url in enumerate(base_urls)
            ],
            owned=owned,
        )

    async def aclose(self) -> None:
        for client in self._owned:
            await client.aclose()

    async def send(self, message: Outgoing) -> SendResult:
        tries: list[ProviderTry] = []
        for provider in self.providers:
            tried = await provider.attempt(message)
            tries.append(tried)
            if tried.outcome in _TAKEN:
                break
        return SendResult(tuple(tries))
