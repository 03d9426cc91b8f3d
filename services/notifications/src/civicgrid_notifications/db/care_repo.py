"""Care profiles, devices as the chain watches them, presses seen, the duty roster and the
district's alert policy (always within one district)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables_alerts import (
    alert_devices,
    alert_duty,
    alert_policies,
    care_profiles,
)
from civicgrid_platform.db import driver


@dataclass(frozen=True, slots=True)
class CareProfile:
    person_id: UUID
    display_name: str
    phone: str
    grid_id: UUID | None
    address: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class WatchedDevice:
    device_id: str
    person_id: UUID
    heartbeat_seconds: int
    last_seen_at: datetime | None
    offline_since: datetime | None


_D = alert_devices.c


# A press's statements go straight through the driver (platform db.driver: a third of
# SQLAlchemy's cost); the rest stay on SQLAlchemy.
_WATCH_DEVICE = text(
    "INSERT INTO alert_devices (tenant_id, device_id, person_id, heartbeat_seconds)"
    " VALUES (:tenant_id, :device_id, :person_id, :heartbeat_seconds)"
    " ON CONFLICT ON CONSTRAINT pk_alert_devices DO UPDATE"
    " SET person_id = excluded.person_id, heartbeat_seconds = excluded.heartbeat_seconds"
)
_DEVICE_SEEN = (
    "INSERT INTO alert_devices (tenant_id, device_id, person_id, heartbeat_seconds, last_seen_at)"
    " VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT ON CONSTRAINT pk_alert_devices DO UPDATE SET person_id = excluded.person_id,"
    " last_seen_at = excluded.last_seen_at, offline_since = NULL RETURNING heartbeat_seconds"
)
_RECORD_PRESS = (
    "INSERT INTO device_presses (tenant_id, device_id, nonce, pressed_at, alert_id)"
    " VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT ON CONSTRAINT pk_device_presses DO NOTHING RETURNING nonce"
)
_PROFILE = (
    f"SELECT {', '.join(CareProfile.__slots__)} FROM care_profiles"  # noqa: S608 - our names
    " WHERE tenant_id = $1 AND person_id = $2"
)
# Every duty asked for, at every unit given, in one read; the nearest unit is chosen in Python.
_ROSTERS = (
    "SELECT duty, unit_id, person_id FROM alert_duty"
    " WHERE tenant_id = $1 AND duty = ANY($2::varchar[]) AND unit_id = ANY($3::uuid[])"
    " ORDER BY position"
)
_POLICY = (
    "SELECT step1_after_seconds, step2_after_seconds, on_site_within_seconds, volunteers_asked"
    " FROM alert_policies WHERE tenant_id = $1"
)


class CareRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # --- care profiles -------------------------------------------------------------------------
    async def save_profile(self, profile: CareProfile) -> None:
        values = {n: getattr(profile, n) for n in CareProfile.__slots__}
        statement = insert(care_profiles).values(tenant_id=self.tenant_id, **values)
        await self.session.execute(
            statement.on_conflict_do_update(
                constraint="pk_care_profiles",
                set_={n: statement.excluded[n] for n in values if n != "person_id"}
                | {"updated_at": statement.excluded.updated_at},
            )
        )

    async def profile(self, person_id: UUID) -> CareProfile | None:
        row = await driver.fetchrow(self.session, _PROFILE, self.tenant_id, person_id)
        return CareProfile(*row) if row else None

    # --- devices -------------------------------------------------------------------------------
    async def watch_device(self, device_id: str, person_id: UUID, heartbeat_seconds: int) -> None:
        await self.session.execute(
            _WATCH_DEVICE,
            {
                "tenant_id": self.tenant_id,
                "device_id": device_id,
                "person_id": person_id,
                "heartbeat_seconds": heartbeat_seconds,
            },
        )

    async def device(self, device_id: str, *, lock: bool = False) -> WatchedDevice | None:
        query = select(*[getattr(_D, n) for n in WatchedDevice.__slots__]).where(
            _D.tenant_id == self.tenant_id, _D.device_id == device_id
        )
        if lock:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return WatchedDevice(*row) if row else None

    async def device_seen(
        self, device_id: str, person_id: UUID, at: datetime, *, heartbeat_seconds: int
    ) -> int:
        """The device heard from now (watched from now on, at `heartbeat_seconds`, if it was
        not; bound to the person identity names); its heartbeat interval."""
        interval: int = await driver.fetchval(
            self.session, _DEVICE_SEEN, self.tenant_id, device_id, person_id, heartbeat_seconds, at
        )
        return interval

    async def device_offline(self, device_id: str, since: datetime) -> None:
        await self.session.execute(
            update(alert_devices)
            .where(_D.tenant_id == self.tenant_id, _D.device_id == device_id)
            .values(offline_since=since)
        )

    async def record_press(self, device_id: str, nonce: str, at: datetime, alert_id: UUID) -> bool:
        """False when this nonce was pressed before (a replay)."""
        inserted = await driver.fetchval(
            self.session, _RECORD_PRESS, self.tenant_id, device_id, nonce, at, alert_id
        )
        return inserted is not None

    # --- duty roster ---------------------------------------------------------------------------
    async def roster(self, unit_ids: list[UUID], duty: str) -> list[UUID]:
        """People on `duty` at the first of unit_ids that has any (nearest unit first)."""
        return (await self.rosters(unit_ids, [duty]))[duty]

    async def rosters(self, unit_ids: list[UUID], duties: Sequence[str]) -> dict[str, list[UUID]]:
        """roster() of each duty, in one read."""
        rows = await driver.fetch(self.session, _ROSTERS, self.tenant_id, list(duties), unit_ids)
        found: dict[tuple[str, UUID], list[UUID]] = {}
        for duty, unit, person in rows:
            found.setdefault((duty, unit), []).append(person)
        return {
            duty: next((found[duty, u] for u in unit_ids if (duty, u) in found), [])
            for duty in duties
        }

    async def set_roster(self, unit_id: UUID, duty: str, people: list[UUID]) -> None:
        await self.session.execute(
            delete(alert_duty).where(
                alert_duty.c.tenant_id == self.tenant_id,
                alert_duty.c.unit_id == unit_id,
                alert_duty.c.duty == duty,
            )
        )
        if people:
            await self.session.execute(
                insert(alert_duty).values(
                    [
                        {
                            "tenant_id": self.tenant_id,
                            "unit_id": unit_id,
                            "duty": duty,
                            "position": i,
                            "person_id": p,
                        }
                        for i, p in enumerate(people)
                    ]
                )
            )

    async def full_roster(self, unit_id: UUID) -> dict[str, list[UUID]]:
        rows = await self.session.execute(
            select(alert_duty.c.duty, alert_duty.c.person_id)
            .where(alert_duty.c.tenant_id == self.tenant_id, alert_duty.c.unit_id == unit_id)
            .order_by(alert_duty.c.duty, alert_duty.c.position)
        )
        found: dict[str, list[UUID]] = {}
        for duty, person in rows:
            found.setdefault(duty, []).append(person)
        return found

    # --- policy --------------------------------------------------------------------------------
    async def policy(self) -> dict[str, Any] | None:
        row = await driver.fetchrow(self.session, _POLICY, self.tenant_id)
        return dict(row) if row else None

    async def save_policy(self, values: dict[str, Any]) -> None:
        statement = insert(alert_policies).values(tenant_id=self.tenant_id, **values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[alert_policies.c.tenant_id],
                set_={k: statement.excluded[k] for k in values}
                | {"updated_at": statement.excluded.updated_at},
            )
        )
