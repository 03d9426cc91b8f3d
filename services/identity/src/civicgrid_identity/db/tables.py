"""Identity's tables. Tenant-scoped tables carry tenant_id and get FORCE row-level security in
the migration; the few platform-level tables (tenants, signing keys, directories) say why."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from civicgrid_platform.db.outbox_table import inbox_table, outbox_table
from civicgrid_platform.http.idempotency.table import idempotency_table

metadata = MetaData()


def _uuid_pk() -> Column:
    return Column(
        "id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )


def _created() -> Column:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _tenant() -> Column:
    return Column("tenant_id", UUID(as_uuid=True), ForeignKey("tenants.id"), nullable=False)


# Platform-level: the directory of districts; login finds a tenant by slug before binding one.
tenants = Table(
    "tenants",
    metadata,
    _uuid_pk(),
    Column("slug", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("city", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("locale", String(16), nullable=False),
    _created(),
)

people = Table(
    "people",
    metadata,
    _uuid_pk(),
    _tenant(),
    Column("display_name", String(200), nullable=False),
    Column("phone", String(32)),
    Column("email", String(254)),
    Column("password_hash", Text),
    Column("status", String(16), nullable=False),  # active | invited | disabled
    Column("party_category", String(16)),
    Column("party_branch", String(200)),
    Column("living_alone", Boolean, nullable=False, server_default=text("false")),
    Column("locale", String(16)),
    Column("invite_code_hash", String(64)),
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("tenant_id", "phone", name="uq_people_phone"),
    UniqueConstraint("tenant_id", "email", name="uq_people_email"),
)

role_bindings = Table(
    "role_bindings",
    metadata,
    _uuid_pk(),
    _tenant(),
    Column("person_id", UUID(as_uuid=True), ForeignKey("people.id"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("unit_id", UUID(as_uuid=True)),  # NULL: tenant-wide
    Column("granted_by", String(64), nullable=False),
    _created(),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", String(64)),
    Index("ix_role_bindings_unit_role", "tenant_id", "unit_id", "role"),
    Index(
        "uq_role_bindings_active",
        "person_id",
        "role",
        text("coalesce(unit_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
        unique=True,
        postgresql_where=text("revoked_at IS NULL"),
    ),
)

# What identity has learnt of the grid hierarchy (from grid events): lets "at or below my
# units" be checked without a synchronous call on every grant.
unit_ancestry = Table(
    "unit_ancestry",
    metadata,
    _tenant(),
    Column("unit_id", UUID(as_uuid=True), primary_key=True),
    Column("ancestor_ids", ARRAY(UUID(as_uuid=True)), nullable=False),  # nearest first
)

emergency_contacts = Table(
    "emergency_contacts",
    metadata,
    _uuid_pk(),
    _tenant(),
    Column("person_id", UUID(as_uuid=True), ForeignKey("people.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("relation", String(64), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("preferred_channel", String(16), nullable=False),
    UniqueConstraint("person_id", "position", name="uq_contacts_position"),
)

alert_devices = Table(
    "alert_devices",
    metadata,
    Column("device_id", String(64), primary_key=True),
    _tenant(),
    Column("person_id", UUID(as_uuid=True), ForeignKey("people.id"), nullable=False),
    Column("secret_sealed", LargeBinary, nullable=False),  # AES-GCM under the service key
    _created(),
)

# Platform-level: a press arrives with only a device id, so the tenant is found here first.
device_directory = Table(
    "device_directory",
    metadata,
    Column("device_id", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), ForeignKey("tenants.id"), nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    _uuid_pk(),
    _tenant(),
    Column("family_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("person_id", UUID(as_uuid=True), ForeignKey("people.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    _created(),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# Platform-level: refresh lookup arrives with only the opaque token, so the tenant is found here.
refresh_token_directory = Table(
    "refresh_token_directory",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), ForeignKey("tenants.id"), nullable=False),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), ForeignKey("tenants.id"), primary_key=True),
    Column("scope", String(16), primary_key=True),  # account | source
    Column("key", String(254), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_started_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
)

clients = Table(
    "clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    _tenant(),
    Column("name", String(200), nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("scopes", ARRAY(String(64)), nullable=False),
    _created(),
    Column("disabled_at", DateTime(timezone=True)),
)

# Platform-level: the token endpoint receives only client_id.
client_directory = Table(
    "client_directory",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), ForeignKey("tenants.id"), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _tenant(),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("action", String(64), nullable=False),
    Column("actor", String(64)),
    Column("subject", String(254)),
    Column("source", String(64)),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("ix_audit_tenant_id", "tenant_id", "id"),
)

# Platform-level: one key ring for all tenants; private keys sealed with the service key.
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    Column("private_sealed", LargeBinary, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    _created(),
    # Published from creation, signed with only from here: verifiers' JWKS caches see it first.
    Column("activates_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True)),
    # After this no token signed by the key can still be valid: it leaves the JWKS.
    Column("published_until", DateTime(timezone=True)),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency = idempotency_table(metadata)

# Tables deliberately without a tenant policy (each says why where it is declared above; the
# outbox, inbox and idempotency tables are the platform's, cross-tenant by nature). Every other
# table must have FORCE row-level security: a test checks the migrated database against this.
PLATFORM_TABLES = frozenset(
    {
        "tenants",
        "device_directory",
        "refresh_token_directory",
        "client_directory",
        "signing_keys",
        outbox.name,
        inbox.name,
        idempotency.name,
    }
)
