"""The webhook dispatcher: due messages of every district are leased, signed, sent concurrently
and recorded, in batches.

1. One short transaction leases due message timers across districts (`FOR UPDATE SKIP LOCKED`
   on the timers table, pushed to the lease's end), then, bound to each district in turn,
   counts the attempt on each message and reads its endpoint.
2. The messages are sent with no transaction open, at most `concurrency` at a time.
3. One transaction records every attempt and each message's next state (delivered, due again
   after the backoff, or failed), reschedules or cancels its timer, and disables endpoints
   that answered 410 or have failed for too long.

Several replicas share the work: a leased timer is skipped by the others until the lease runs
out. A crash between 1 and 3 loses nothing: the lease runs out and the message is sent again
under the same webhook-id (at least once; receivers dedupe on it). A batch whose lease was
taken over (only possible after it ran out) still logs its attempts but leaves the message's
state to the new holder."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from uuid import UUID

from civicgrid_notifications.db.webhook_dispatch_repo import (
    AttemptRow,
    DueMessage,
    MessageState,
    WebhookDispatchRepository,
)
from civicgrid_notifications.db.webhooks_repo import WebhooksRepository
from civicgrid_notifications.domain import webhooks as rules
from civicgrid_notifications.domain.webhooks import Verdict, WebhookPolicy
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.webhook_ports import WebhookPost, WebhookReply, WebhookSender
from civicgrid_notifications.usecases.webhook_secrets import (
    SecretUnreadable,
    opened,
    webhook_sealer,
)
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.sealing import Sealer

DEFAULT_POLICY = WebhookPolicy()
DEFAULT_CONCURRENCY = 64
_NOT_SENT = WebhookReply(None, 0, error="timeout", detail="not sent within the batch's time")
_UNREADABLE = WebhookReply(
    None, 0, error="secret", detail="the secret does not open with the service's key: not sent"
)
T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Job:
    tenant_id: UUID
    message: DueMessage
    allow_internal: bool


@dataclass(frozen=True, slots=True)
class _Sent:
    job: _Job
    started_at: datetime
    reply: WebhookReply

    @property
    def verdict(self) -> Verdict:
        return rules.verdict(self.reply.status_code if self.reply.error is None else None)


def _by_tenant(pairs: Iterable[tuple[UUID, T]]) -> dict[UUID, list[T]]:
    grouped: dict[UUID, list[T]] = defaultdict(list)
    for tenant_id, item in pairs:
        grouped[tenant_id].append(item)
    return grouped


async def dispatch_due(
    ctx: NotificationsContext,
    sender: WebhookSender,
    *,
    policy: WebhookPolicy = DEFAULT_POLICY,
    limit: int = timers.BATCH,
    concurrency: int = DEFAULT_CONCURRENCY,
    draw: Callable[[], float] = random.random,
) -> int:
    """Sends one batch of due messages; returns how many timers it leased (call again while
    that equals `limit`). `draw` feeds the retry jitter."""
    sealer = webhook_sealer(ctx)
    now = ctx.clock()
    # The lease's end marks this batch's timers; a random microsecond keeps two dispatchers
    # leasing on the same clock tick apart.
    lease_end = now + policy.lease + timedelta(microseconds=random.randrange(1, 1_000_000))
    leased, jobs = await _lease(ctx, now, lease_end, limit)
    gate = asyncio.Semaphore(concurrency)
    budget_end = asyncio.get_running_loop().time() + policy.send_budget.total_seconds()

    async def send(job: _Job) -> _Sent:
        try:
            async with asyncio.timeout_at(budget_end), gate:
                return await _send(ctx, sender, sealer, job)
        except TimeoutError:
            return _Sent(job, ctx.clock(), _NOT_SENT)

    sent = await asyncio.gather(*(send(job) for job in jobs))
    if sent:
        await _record(ctx, sent, lease_end, policy, draw)
    return leased


async def _lease(
    ctx: NotificationsContext, now: datetime, lease_end: datetime, limit: int
) -> tuple[int, list[_Job]]:
    async with ctx.uow(tenant_id=None) as uow:
        leased = await timers.lease_due(uow.session, rules.WEBHOOK_TIMER, now, lease_end, limit)
        jobs: list[_Job] = []
        for tenant_id, ids in _by_tenant((t.tenant_id, t.subject_id) for t in leased).items():
            await uow.bind_tenant(tenant_id)
            dispatch = WebhookDispatchRepository(uow.session, tenant_id)
            subscriptions = WebhooksRepository(uow.session, tenant_id)
            taken = await dispatch.take(ids)
            stale = list(set(ids) - {m.id for m in taken})
            if stale:
                # Finished or deleted meanwhile, or their endpoint was disabled.
                await dispatch.fail_waiting(stale, "endpoint disabled", now)
                await subscriptions.cancel(stale)
            if taken:
                internal = await subscriptions.internal_allowed()
                jobs.extend(_Job(tenant_id, m, internal) for m in taken)
        await uow.commit()
    return len(leased), jobs


async def _send(
    ctx: NotificationsContext, sender: WebhookSender, sealer: Sealer, job: _Job
) -> _Sent:
    message = job.message
    started = ctx.clock()
    try:
        keys = opened(sealer, message.secrets)
    except SecretUnreadable:
        # Never signed with anything else: the attempt fails (and is retried on schedule, so
        # the right key put back in place delivers it), loudly for the operators.
        log.exception("webhook message %s not sent", message.id)
        return _Sent(job, started, _UNREADABLE)
    # Signed just before sending: receivers refuse timestamps more than minutes old.
    headers = {
        "content-type": "application/json",
        **rules.webhook_headers(str(message.id), message.body, keys, started),
    }
    post = WebhookPost(message.url, message.body.encode(), headers, job.allow_internal)
    return _Sent(job, started, await sender.post(post))


async def _record(
    ctx: NotificationsContext,
    sent: Sequence[_Sent],
    lease_end: datetime,
    policy: WebhookPolicy,
    draw: Callable[[], float],
) -> None:
    now = ctx.clock()
    async with ctx.uow(tenant_id=None) as uow:
        for tenant_id, batch in _by_tenant((s.job.tenant_id, s) for s in sent).items():
            await uow.bind_tenant(tenant_id)
            await _record_district(uow, tenant_id, batch, lease_end, now, policy, draw)
        await uow.commit()


def _error(reply: WebhookReply) -> str:
    if reply.error is not None:
        return f"{reply.error}: {reply.detail}" if reply.detail else reply.error
    return f"HTTP {reply.status_code}"


def _attempt(sent: _Sent) -> AttemptRow:
    reply, verdict = sent.reply, sent.verdict
    if reply.error is not None:
        outcome = "error"
    else:
        outcome = {Verdict.DELIVERED: "delivered", Verdict.GONE: "gone"}.get(verdict, "failed")
    return AttemptRow(
        message_id=sent.job.message.id,
        number=sent.job.message.attempt,
        started_at=sent.started_at,
        duration_ms=reply.duration_ms,
        outcome=outcome,
        status_code=reply.status_code,
        error="" if verdict is Verdict.DELIVERED else _error(reply),
        response=reply.response,
    )


def _next_state(
    sent: _Sent, now: datetime, policy: WebhookPolicy, draw: Callable[[], float]
) -> MessageState:
    message, code = sent.job.message, sent.reply.status_code
    if sent.verdict is Verdict.DELIVERED:
        return MessageState(message.id, rules.DELIVERED, None, code, "", now)
    if sent.verdict is Verdict.GONE:
        return MessageState(message.id, rules.FAILED, None, code, "the endpoint is gone (410)", now)
    retry_at = rules.next_attempt_at(message.attempt, now, policy, draw)
    if retry_at is None:
        return MessageState(message.id, rules.FAILED, None, code, _error(sent.reply), now)
    return MessageState(message.id, rules.PENDING, retry_at, code, _error(sent.reply), None)


async def _record_district(
    uow: UnitOfWork,
    tenant_id: UUID,
    batch: Sequence[_Sent],
    lease_end: datetime,
    now: datetime,
    policy: WebhookPolicy,
    draw: Callable[[], float],
) -> None:
    dispatch = WebhookDispatchRepository(uow.session, tenant_id)
    subscriptions = WebhooksRepository(uow.session, tenant_id)
    ids = [s.job.message.id for s in batch]
    ours = await dispatch.still_leased(ids, lease_end)
    alive = await dispatch.existing(ids)
    await dispatch.add_attempts([_attempt(s) for s in batch if s.job.message.id in alive])
    states = [_next_state(s, now, policy, draw) for s in batch if s.job.message.id in ours & alive]
    await dispatch.set_states(states)
    await subscriptions.schedule((s.id, s.next_attempt_at) for s in states if s.next_attempt_at)
    await subscriptions.cancel(
        [s.id for s in states if s.next_attempt_at is None] + list(ours - alive)
    )
    verdicts: dict[UUID, set[Verdict]] = defaultdict(set)
    for s in batch:
        verdicts[s.job.message.subscription_id].add(s.verdict)
    await _endpoint_health(dispatch, subscriptions, verdicts, now, policy)


async def _endpoint_health(
    dispatch: WebhookDispatchRepository,
    subscriptions: WebhooksRepository,
    verdicts: dict[UUID, set[Verdict]],
    now: datetime,
    policy: WebhookPolicy,
) -> None:
    """410 disables at once; a delivery ends a run of failures; failures only, for longer than
    the policy's limit since the first of them, disable."""
    gone = [s for s, seen in verdicts.items() if Verdict.GONE in seen]
    answered = [s for s, seen in verdicts.items() if Verdict.DELIVERED in seen and s not in gone]
    failed = [s for s, seen in verdicts.items() if seen == {Verdict.RETRY}]
    for subscription_id in gone:
        await subscriptions.disable(subscription_id, rules.GONE, now)
    if answered:
        await dispatch.answered(answered)
    if failed:
        for subscription_id, since in (await dispatch.failing(failed, now)).items():
            if rules.failing_too_long(since, now, policy):
                await subscriptions.disable(subscription_id, rules.FAILING, now)
