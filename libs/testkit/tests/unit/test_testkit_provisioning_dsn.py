"""DSNs and passwords for provisioned service databases (no server needed)."""

from __future__ import annotations

import pytest

from civicgrid_testkit import InvalidNameError
from civicgrid_testkit.provisioning import dsn_for, provision_service_database, role_password


def test_dsn_points_at_the_admin_dsns_server_with_the_given_identity() -> None:
    dsn = dsn_for("postgres://postgres:s3cret@127.0.0.1:5433/postgres", "grid_app", "pw", "grid")
    assert dsn == "postgresql://grid_app:pw@127.0.0.1:5433/grid"


def test_dsn_keeps_query_options_and_brackets_ipv6_hosts() -> None:
    dsn = dsn_for("postgresql://a:b@[::1]:5432/postgres?sslmode=require", "u", "p", "db")
    assert dsn == "postgresql://u:p@[::1]:5432/db?sslmode=require"


def test_dsn_quotes_characters_that_would_break_the_url() -> None:
    dsn = dsn_for("postgresql://a:b@db/postgres", "u", "p@ss/word:1", "db")
    assert dsn == "postgresql://u:p%40ss%2Fword%3A1@db/db"


def test_role_passwords_are_stable_per_role_and_secret() -> None:
    assert role_password("secret", "grid_app") == role_password("secret", "grid_app")
    assert role_password("secret", "grid_app") != role_password("secret", "grid_owner")
    assert role_password("secret", "grid_app") != role_password("other", "grid_app")


async def test_unsafe_names_are_refused_before_any_connection() -> None:
    # Port 1 on loopback: a connection attempt would fail with OSError, not InvalidNameError.
    with pytest.raises(InvalidNameError):
        await provision_service_database("postgresql://u:p@127.0.0.1:1/postgres", "x; DROP")


async def test_a_secret_is_required_when_the_admin_dsn_has_no_password() -> None:
    with pytest.raises(ValueError, match="secret"):
        await provision_service_database("postgresql://u@127.0.0.1:1/postgres", "grid")
