"""Which backend serves a session: settings first, then Docker, then local processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgrid_testkit.containers import docker_endpoint_configured, docker_engine_available
from civicgrid_testkit.selection import (
    EXTERNAL_POSTGRES_ENV,
    Backend,
    choose_backend,
    docker_allowed,
    external_address,
)


def _docker_must_not_be_asked() -> bool:
    raise AssertionError("Docker was asked although the choice was already made")


def test_external_server_wins_and_docker_is_not_even_asked() -> None:
    assert choose_backend("postgresql://u:p@db:5432/x", _docker_must_not_be_asked) is (
        Backend.EXTERNAL
    )


def test_containers_are_used_when_docker_answers() -> None:
    assert choose_backend(None, lambda: True) is Backend.CONTAINER


def test_local_processes_are_used_when_docker_does_not_answer() -> None:
    assert choose_backend(None, lambda: False) is Backend.LOCAL


def test_containers_can_be_ruled_out_without_asking_docker() -> None:
    chosen = choose_backend(None, _docker_must_not_be_asked, allow_containers=False)
    assert chosen is Backend.LOCAL


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_external_settings_count_as_unset(value: str | None) -> None:
    env = {} if value is None else {EXTERNAL_POSTGRES_ENV: value}
    assert external_address(env, EXTERNAL_POSTGRES_ENV) is None


def test_external_setting_is_read_without_surrounding_space() -> None:
    env = {EXTERNAL_POSTGRES_ENV: " postgresql://u:p@db/x \n"}
    assert external_address(env, EXTERNAL_POSTGRES_ENV) == "postgresql://u:p@db/x"


@pytest.mark.parametrize(
    ("value", "allowed"),
    [(None, True), ("auto", True), ("1", True), ("0", False), ("never", False), ("OFF", False)],
)
def test_docker_can_be_switched_off_by_setting(value: str | None, allowed: bool) -> None:
    env = {} if value is None else {"CIVICGRID_TESTKIT_DOCKER": value}
    assert docker_allowed(env) is allowed


def test_no_docker_endpoint_means_no_docker_without_any_connection(tmp_path: Path) -> None:
    missing_socket = tmp_path / "docker.sock"
    assert not docker_endpoint_configured({}, missing_socket)
    assert docker_engine_available(env={}, default_socket=missing_socket) is False


def test_docker_host_setting_counts_as_an_endpoint(tmp_path: Path) -> None:
    assert docker_endpoint_configured({"DOCKER_HOST": "tcp://127.0.0.1:2375"}, tmp_path / "x")


def test_a_docker_host_that_does_not_answer_falls_through(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": f"unix://{tmp_path / 'no-engine.sock'}"}
    assert docker_engine_available(env=env, default_socket=tmp_path / "absent") is False
