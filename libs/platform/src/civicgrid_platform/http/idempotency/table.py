"""The idempotency-key table; each service's own migration creates it from this definition."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

DEFAULT_TABLE_NAME = "idempotency_keys"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"


def idempotency_table(metadata: MetaData, name: str = DEFAULT_TABLE_NAME) -> Table:
    """Keys are unique per scope: "<tenant>:<kind>:<subject>" or "anonymous", so two tenants
    (or two callers) choosing the same key never see each other's answers."""
    return Table(
        name,
        metadata,
        Column("scope", Text, primary_key=True),
        Column("key", String(255), primary_key=True),
        Column("fingerprint", String(64), nullable=False),  # sha256 of method, target, body
        Column("state", String(16), nullable=False),
        Column("status_code", SmallInteger, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
        Column("response_headers", JSONB, nullable=True),  # Location, Content-Type
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        CheckConstraint(f"state IN ('{IN_PROGRESS}', '{COMPLETED}')", name=f"{name}_state"),
        Index(f"{name}_expires_at", "expires_at"),
    )
