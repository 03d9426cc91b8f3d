"""Names tests use to isolate themselves must be valid databases, roles and topics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid_testkit import InvalidNameError, unique_name
from civicgrid_testkit.names import (
    MAX_SERVICE_NAME_LENGTH,
    validate_service_name,
    validate_topic_name,
)


@pytest.mark.parametrize("name", ["tickets", "grid_v2", "a", "x" * MAX_SERVICE_NAME_LENGTH])
def test_safe_service_names_are_accepted(name: str) -> None:
    assert validate_service_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Tickets",  # would need quoting: folded to lowercase by PostgreSQL otherwise
        "2fa",
        "_hidden",
        "tickets-api",
        'x"; DROP DATABASE postgres; --',
        "tickets app",
        "x" * (MAX_SERVICE_NAME_LENGTH + 1),  # "<name>_owner" would exceed 63 bytes
        "postgres",
        "template1",
        "pg_monitor",
    ],
)
def test_unsafe_or_reserved_service_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidNameError):
        validate_service_name(name)


@pytest.mark.parametrize("name", ["civicgrid.tickets.v1", "civicgrid.tickets.v1.dlq", "a-b_c"])
def test_kafka_topic_names_are_accepted(name: str) -> None:
    assert validate_topic_name(name) == name


@pytest.mark.parametrize("name", ["", ".", "..", "with space", "slash/topic", "é", "x" * 250])
def test_invalid_kafka_topic_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidNameError):
        validate_topic_name(name)


@given(st.text(max_size=80))
def test_unique_name_is_valid_for_postgres_and_kafka_whatever_the_prefix(prefix: str) -> None:
    name = unique_name(prefix)
    assert validate_service_name(name) == name
    assert validate_topic_name(name) == name


def test_unique_name_keeps_a_readable_prefix_and_never_repeats() -> None:
    names = {unique_name("Tickets-API test") for _ in range(1000)}
    assert len(names) == 1000
    assert all(name.startswith("tickets_api_test_") for name in names)
