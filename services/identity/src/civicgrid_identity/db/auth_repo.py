"""Refresh-token families, login throttles, integrator clients and the audit log (per tenant)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_identity.db.tables import audit_log, clients, login_throttle, refresh_tokens
from civicgrid_identity.domain.lockout import ThrottleState


@dataclass(frozen=True, slots=True)
class RefreshTokenRecord:
    id: UUID
    family_id: UUID
    person_id: UUID
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ClientRecord:
    client_id: str
    name: str
    secret_hash: str
    scopes: list[str]
    disabled: bool


class AuthRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # --- refresh tokens ----------------------------------------------------------------------
    async def add_refresh_token(
        self, *, family_id: UUID, person_id: UUID, token_hash: str, expires_at: datetime
    ) -> None:
        await self.session.execute(
            insert(refresh_tokens).values(
                tenant_id=self.tenant_id,
                family_id=family_id,
                person_id=person_id,
                token_hash=token_hash,
                expires_at=expires_at,
            )
        )

    async def refresh_token_for_update(self, token_hash: str) -> RefreshTokenRecord | None:
        # Row lock: two concurrent refreshes with one token must not both succeed.
        q = (
            select(refresh_tokens)
            .where(
                refresh_tokens.c.tenant_id == self.tenant_id,
                refresh_tokens.c.token_hash == token_hash,
            )
            .with_for_update()
        )
        row = (await self.session.execute(q)).first()
        if row is None:
            return None
        return RefreshTokenRecord(
            row.id, row.family_id, row.person_id, row.expires_at, row.used_at, row.revoked_at
        )

    async def mark_used(self, token_id: UUID) -> None:
        await self.session.execute(
            update(refresh_tokens).where(refresh_tokens.c.id == token_id).values(used_at=func.now())
        )

    async def revoke_family(self, family_id: UUID) -> int:
        result = await self.session.execute(
            update(refresh_tokens)
            .where(
                refresh_tokens.c.tenant_id == self.tenant_id,
                refresh_tokens.c.family_id == family_id,
                refresh_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=func.now())
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    # --- login throttles -------------------------------------------------------------------------
    async def throttle_for_update(self, scope: str, key: str) -> ThrottleState | None:
        q = (
            select(login_throttle)
            .where(
                login_throttle.c.tenant_id == self.tenant_id,
                login_throttle.c.scope == scope,
                login_throttle.c.key == key,
            )
            .with_for_update()
        )
        row = (await self.session.execute(q)).first()
        return ThrottleState(row.failures, row.window_started_at, row.locked_until) if row else None

    async def save_throttle(self, scope: str, key: str, state: ThrottleState) -> None:
        values = {
            "failures": state.failures,
            "window_started_at": state.window_started_at,
            "locked_until": state.locked_until,
        }
        stmt = pg_insert(login_throttle).values(
            tenant_id=self.tenant_id, scope=scope, key=key, **values
        )
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["tenant_id", "scope", "key"], set_=values)
        )

    async def clear_throttle(self, scope: str, key: str) -> None:
        await self.session.execute(
            login_throttle.delete().where(
                login_throttle.c.tenant_id == self.tenant_id,
                login_throttle.c.scope == scope,
                login_throttle.c.key == key,
            )
        )

    # --- integrator clients ---
    async def add_client(
        self, *, client_id: str, name: str, secret_hash: str, scopes: list[str]
    ) -> None:
        await self.session.execute(
            insert(clients).values(
                client_id=client_id,
                tenant_id=self.tenant_id,
                name=name,
                secret_hash=secret_hash,
                scopes=scopes,
            )
        )

    async def upsert_client(
        self, *, client_id: str, name: str, secret_hash: str, scopes: list[str]
    ) -> None:
        """Insert, or overwrite and re-enable: the settings are the truth for service clients."""
        values = {"name": name, "secret_hash": secret_hash, "scopes": scopes}
        stmt = pg_insert(clients).values(client_id=client_id, tenant_id=self.tenant_id, **values)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["client_id"], set_={**values, "disabled_at": None}
            )
        )

    async def disable_clients(self, *, named: str, keep: Collection[str]) -> list[str]:
        """Disable the enabled clients called `named` whose ids are not in keep; their ids."""
        result = await self.session.execute(
            update(clients)
            .where(
                clients.c.tenant_id == self.tenant_id,
                clients.c.name == named,
                clients.c.client_id.not_in(list(keep)),
                clients.c.disabled_at.is_(None),
            )
            .values(disabled_at=func.now())
            .returning(clients.c.client_id)
        )
        return sorted(result.scalars())

    async def client(self, client_id: str) -> ClientRecord | None:
        q = select(clients).where(
            clients.c.tenant_id == self.tenant_id, clients.c.client_id == client_id
        )
        row = (await self.session.execute(q)).first()
        if row is None:
            return None
        return ClientRecord(
            row.client_id, row.name, row.secret_hash, list(row.scopes), row.disabled_at is not None
        )

    # --- audit ---
    async def audit(
        self,
        action: str,
        *,
        actor: str | None,
        subject: str | None,
        source: str | None,
        **details: Any,
    ) -> None:
        await self.session.execute(
            insert(audit_log).values(
                tenant_id=self.tenant_id,
                action=action,
                actor=actor,
                subject=subject,
                source=source,
                details=details,
            )
        )

    async def audit_page(self, *, before_id: int | None, limit: int) -> list[dict[str, Any]]:
        q = (
            select(audit_log)
            .where(audit_log.c.tenant_id == self.tenant_id)
            .order_by(audit_log.c.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            q = q.where(audit_log.c.id < before_id)
        return [dict(r._mapping) for r in await self.session.execute(q)]
