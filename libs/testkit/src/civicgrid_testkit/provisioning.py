"""One database per service, with an owner role for migrations and a runtime role for the app.

The runtime role is deliberately not the owner and cannot bypass row-level security: tables
with FORCE ROW LEVEL SECURITY then refuse it any row of another tenant, as in production.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import asyncpg

from civicgrid_testkit.names import validate_service_name

# Serialises provisioning on one server: concurrent CREATE ROLE/GRANT can fail with
# "tuple concurrently updated". Any constant works; this one spells "civicgrd" in ASCII.
_PROVISIONING_LOCK_KEY = 0x63697669636772


class ProvisioningError(RuntimeError):
    """The database or its roles could not be brought into the required shape."""


@dataclass(frozen=True)
class ServiceDatabase:
    """Where a service's database lives and the two identities that use it."""

    name: str
    owner_dsn: str  # migrations: owns the database and every table in it
    runtime_dsn: str  # the running service: DML only, subject to row-level security

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def owner_role(name: str) -> str:
    return f"{name}_owner"


def runtime_role(name: str) -> str:
    return f"{name}_app"


def role_password(secret: str, role: str) -> str:
    """A password derived from `secret`, so provisioning again yields the same DSNs."""
    return hmac.new(secret.encode(), role.encode(), hashlib.sha256).hexdigest()


def dsn_for(admin_dsn: str, user: str, password: str, database: str) -> str:
    """A `postgresql://user:pw@host:port/db` DSN on the admin DSN's server."""
    parts = urlsplit(admin_dsn)
    if not parts.hostname:
        raise ValueError("the admin DSN must name a host, e.g. postgresql://u:p@127.0.0.1:5432/db")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    address = f"{host}:{parts.port}" if parts.port else host
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{address}"
    return urlunsplit(("postgresql", netloc, f"/{quote(database, safe='')}", parts.query, ""))


async def provision_service_database(
    admin_dsn: str, name: str, *, secret: str | None = None
) -> ServiceDatabase:
    """Create (or bring up to date) database `name` with roles `<name>_owner` and `<name>_app`.

    Idempotent: running it again changes nothing and returns the same DSNs. Role passwords are
    derived from `secret`, which defaults to the admin DSN's password.
    """
    validate_service_name(name)
    secret = secret or unquote(urlsplit(admin_dsn).password or "")
    if not secret:
        raise ValueError("the admin DSN has no password; pass `secret` to derive role passwords")
    owner, app = owner_role(name), runtime_role(name)
    owner_password, app_password = role_password(secret, owner), role_password(secret, app)

    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute("SELECT pg_advisory_lock($1)", _PROVISIONING_LOCK_KEY)
        try:
            await _ensure_login_role(admin, owner, owner_password)
            await _ensure_login_role(admin, app, app_password)
            await _ensure_database(admin, name, owner, app)
            await _refuse_privileged_runtime_role(admin, app)
        finally:
            await admin.execute("SELECT pg_advisory_unlock($1)", _PROVISIONING_LOCK_KEY)
    finally:
        await admin.close()

    in_database = await asyncpg.connect(_with_database(admin_dsn, name))
    try:
        await _grant_runtime_privileges(in_database, owner, app)
    finally:
        await in_database.close()

    return ServiceDatabase(
        name=name,
        owner_dsn=dsn_for(admin_dsn, owner, owner_password, name),
        runtime_dsn=dsn_for(admin_dsn, app, app_password, name),
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{quote(database, safe='')}"))


async def _ensure_login_role(admin: asyncpg.Connection, role: str, password: str) -> None:
    # Utility statements take no bind parameters; names are validated and quoted.
    if await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
        # Only LOGIN and PASSWORD: other attributes need superuser to change on managed servers.
        await admin.execute(f"ALTER ROLE {_ident(role)} WITH LOGIN PASSWORD {_literal(password)}")
        return
    await admin.execute(
        f"CREATE ROLE {_ident(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
        f"NOREPLICATION NOBYPASSRLS PASSWORD {_literal(password)}"
    )


async def _ensure_database(admin: asyncpg.Connection, name: str, owner: str, app: str) -> None:
    is_superuser = await admin.fetchval(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    )
    if not is_superuser:
        # A CREATEDB/CREATEROLE admin (managed PostgreSQL) must be a member of the owner role
        # to create a database for it and to set its default privileges.
        await admin.execute(f"GRANT {_ident(owner)} TO CURRENT_USER")
    if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
        await admin.execute(f"ALTER DATABASE {_ident(name)} OWNER TO {_ident(owner)}")
    else:
        await admin.execute(f"CREATE DATABASE {_ident(name)} OWNER {_ident(owner)}")
    # Other services' roles must not even connect: no service reads another's database.
    await admin.execute(f"REVOKE ALL ON DATABASE {_ident(name)} FROM PUBLIC")
    # TEMPORARY: bulk inserts into tables under row-level security stage rows in a
    # transaction-local table (COPY FROM refuses such tables; see civicgrid_platform.db.bulk).
    await admin.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(name)} TO {_ident(app)}")


async def _refuse_privileged_runtime_role(admin: asyncpg.Connection, app: str) -> None:
    row = await admin.fetchrow(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", app
    )
    if row is None or row["rolsuper"] or row["rolbypassrls"]:
        raise ProvisioningError(
            f"role {app} is a superuser or has BYPASSRLS, so row-level security would not "
            "apply to it; drop the role or remove those attributes"
        )


async def _grant_runtime_privileges(conn: asyncpg.Connection, owner: str, app: str) -> None:
    owner_id, app_id = _ident(owner), _ident(app)
    await conn.execute(f"GRANT USAGE ON SCHEMA public TO {app_id}")
    # Tables the owner creates later (migrations) become usable by the runtime role...
    await conn.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_id} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app_id}"
    )
    await conn.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_id} "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {app_id}"
    )
    # ...and so do tables that already exist when provisioning runs again after migrations.
    await conn.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app_id}"
    )
    await conn.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {app_id}")
