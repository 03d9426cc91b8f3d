"""The rules book's cache, over an in-memory store: what it reads, when it reads again, and that
a version published through this process is in force here at once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_tickets.db.rules_repo import StoredRule
from civicgrid_tickets.domain.calendar import DEFAULT_CALENDAR
from civicgrid_tickets.domain.evaluation_formula import DEFAULT_FORMULA
from civicgrid_tickets.domain.sla_state import DEFAULT_POLICY
from civicgrid_tickets.domain.tenant_rules import RuleKind, parse_rule
from civicgrid_tickets.usecases.rules_book import RulesBook, UnknownRuleVersion

SESSION = cast(AsyncSession, object())  # the fake store never touches it
AT = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def policy_body(minutes: int) -> dict[str, Any]:
    return {
        "targets": [
            {
                "category": "*",
                "priority": "*",
                "acknowledge_within_minutes": minutes,
                "resolve_within_minutes": minutes * 2,
            }
        ]
    }


HOLIDAY_CALENDAR = {
    "timezone": "Asia/Shanghai",
    "hours": {"mon": [["09:00", "17:00"]]},
    "holidays": ["2026-12-07"],
}


class Store:
    """Published rows per tenant, as RulesRepository would return them; counts its reads."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, list[StoredRule]] = {}
        self.reads = 0

    def add(self, tenant: uuid.UUID, kind: RuleKind, body: dict[str, Any]) -> int:
        mine = [r for r in self.rows.get(tenant, []) if r.kind is kind]
        version = max((r.version for r in mine), default=1) + 1
        self.rows.setdefault(tenant, []).append(StoredRule(kind, version, body, AT, "admin"))
        return version

    def factory(self, session: AsyncSession, tenant_id: uuid.UUID) -> TenantStore:
        assert session is SESSION
        return TenantStore(self, tenant_id)


class TenantStore:
    def __init__(self, store: Store, tenant_id: uuid.UUID) -> None:
        self.store = store
        self.rows = store.rows.get(tenant_id, [])

    async def latest(self) -> Mapping[RuleKind, StoredRule]:
        self.store.reads += 1
        found: dict[RuleKind, StoredRule] = {}
        for row in sorted(self.rows, key=lambda r: r.version):
            found[row.kind] = row
        return found

    async def get(self, kind: RuleKind, version: int) -> StoredRule | None:
        self.store.reads += 1
        return next((r for r in self.rows if r.kind is kind and r.version == version), None)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def book(store: Store, clock: Clock) -> RulesBook:
    return RulesBook(refresh_after=5.0, store=store.factory, monotonic=clock)


TENANT = uuid.uuid4()


async def test_a_district_that_published_nothing_works_by_the_built_ins(
    book: RulesBook, store: Store
) -> None:
    rules = await book.current(SESSION, TENANT)
    assert (rules.policy, rules.calendar, rules.formula) == (
        DEFAULT_POLICY,
        DEFAULT_CALENDAR,
        DEFAULT_FORMULA,
    )
    assert (rules.policy.version, rules.calendar_version, rules.formula.version) == (1, 1, 1)
    assert await book.policy(SESSION, TENANT, 1) is DEFAULT_POLICY
    assert await book.formula(SESSION, TENANT, 1) is DEFAULT_FORMULA
    assert store.reads == 1  # version 1 is never read


async def test_the_current_version_is_read_again_only_after_a_few_seconds(
    book: RulesBook, store: Store, clock: Clock
) -> None:
    await book.current(SESSION, TENANT)
    store.add(TENANT, RuleKind.SLA_POLICY, policy_body(30))  # published by another replica
    clock.now += 4.9
    assert (await book.current(SESSION, TENANT)).policy.version == 1
    assert store.reads == 1
    clock.now += 0.2
    rules = await book.current(SESSION, TENANT)
    assert rules.policy.version == 2
    assert rules.policy.target_for("roads", "P2").acknowledge_within.total_seconds() == 30 * 60
    assert store.reads == 2


async def test_refresh_reads_the_database_whatever_is_cached(book: RulesBook, store: Store) -> None:
    await book.current(SESSION, TENANT)
    store.add(TENANT, RuleKind.EVALUATION_FORMULA, {"weights": {"response_rate": 1}})
    assert (await book.current(SESSION, TENANT, refresh=True)).formula.version == 2


async def test_a_version_published_here_is_current_here_at_once(
    book: RulesBook, store: Store
) -> None:
    await book.current(SESSION, TENANT)
    version = store.add(TENANT, RuleKind.CALENDAR, HOLIDAY_CALENDAR)
    calendar = parse_rule(RuleKind.CALENDAR, HOLIDAY_CALENDAR, version)
    book.published(TENANT, RuleKind.CALENDAR, version, calendar)
    reads = store.reads
    rules = await book.current(SESSION, TENANT)
    assert (rules.calendar, rules.calendar_version) == (calendar, 2)
    assert store.reads == reads


async def test_a_read_that_began_before_a_publication_does_not_bring_the_old_version_back(
    book: RulesBook, store: Store, clock: Clock
) -> None:
    await book.current(SESSION, TENANT)
    rule = parse_rule(RuleKind.SLA_POLICY, policy_body(30), 2)
    book.published(TENANT, RuleKind.SLA_POLICY, 2, rule)
    clock.now += 60  # the store still answers without version 2, as a read begun earlier would
    assert (await book.current(SESSION, TENANT)).policy is rule


async def test_published_versions_are_read_once_and_kept(
    book: RulesBook, store: Store, clock: Clock
) -> None:
    store.add(TENANT, RuleKind.SLA_POLICY, policy_body(30))
    store.add(TENANT, RuleKind.SLA_POLICY, policy_body(45))
    old = await book.policy(SESSION, TENANT, 2)
    clock.now += 3600
    assert await book.policy(SESSION, TENANT, 2) is old
    assert store.reads == 1
    assert old.target_for("roads", "P1").acknowledge_within.total_seconds() == 30 * 60
    assert (await book.current(SESSION, TENANT)).policy.version == 3


async def test_a_version_the_district_never_published_is_an_error_not_a_default(
    book: RulesBook,
) -> None:
    with pytest.raises(UnknownRuleVersion):
        await book.policy(SESSION, TENANT, 2)


async def test_districts_never_share_rules_even_with_the_same_numbers(
    book: RulesBook, store: Store
) -> None:
    other = uuid.uuid4()
    store.add(TENANT, RuleKind.SLA_POLICY, policy_body(30))
    store.add(other, RuleKind.SLA_POLICY, policy_body(90))
    mine, theirs = await book.policy(SESSION, TENANT, 2), await book.policy(SESSION, other, 2)
    assert mine.target_for("x", "P1").acknowledge_within.total_seconds() == 30 * 60
    assert theirs.target_for("x", "P1").acknowledge_within.total_seconds() == 90 * 60
    stranger = uuid.uuid4()
    assert (await book.current(SESSION, stranger)).policy is DEFAULT_POLICY
    with pytest.raises(UnknownRuleVersion):
        await book.policy(SESSION, stranger, 2)


async def test_a_stored_body_that_no_longer_reads_is_a_server_fault(
    book: RulesBook, store: Store
) -> None:
    store.add(TENANT, RuleKind.SLA_POLICY, {"targets": []})
    with pytest.raises(RuntimeError, match="no longer reads: targets"):
        await book.current(SESSION, TENANT)
