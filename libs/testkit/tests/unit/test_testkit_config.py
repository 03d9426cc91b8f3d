"""Rendered server configuration: loopback only, single-node safe, same settings everywhere."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from civicgrid_testkit.containers import kafka_container_environment
from civicgrid_testkit.kafka_config import (
    KAFKA_VERSION,
    broker_settings,
    new_cluster_id,
    render_server_properties,
    settings_as_docker_env,
)
from civicgrid_testkit.kafka_install import POM_PATH, find_repo_root, kafka_libs_dir
from civicgrid_testkit.postgres import newest_bindir, render_postgres_conf


def _parse_properties(text: str) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")]
    return {key: value for key, value in pairs}


def test_server_properties_describe_a_single_kraft_node_on_loopback() -> None:
    properties = _parse_properties(
        render_server_properties(
            broker_settings(broker_port=19092, controller_port=19093, log_dir="/data/kafka")
        )
    )
    assert properties["process.roles"] == "broker,controller"
    assert properties["node.id"] == "1"
    assert properties["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert properties["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert properties["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert properties["log.dirs"] == "/data/kafka"
    assert properties["auto.create.topics.enable"] == "false"
    assert properties["num.partitions"] == "3"
    assert properties["group.initial.rebalance.delay.ms"] == "0"
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
    ):
        assert properties[key] == "1", key


def test_container_settings_listen_inside_and_advertise_the_published_loopback_port() -> None:
    settings = broker_settings(
        broker_port=9092,
        controller_port=9093,
        log_dir="/var/lib/kafka/data",
        listen_host="0.0.0.0",  # noqa: S104 - inside a container
        advertised_port=41234,
    )
    env = settings_as_docker_env(settings)
    assert env["KAFKA_LISTENERS"] == "PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093"
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://127.0.0.1:41234"
    assert env["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert len(env) == len(settings)


def test_cluster_ids_are_kafka_uuids_and_fresh_each_time() -> None:
    first, second = new_cluster_id(), new_cluster_id()
    assert first != second
    assert len(first) == 22
    assert len(base64.urlsafe_b64decode(first + "==")) == 16


def test_postgres_listens_on_loopback_with_sockets_in_the_data_dir() -> None:
    conf = render_postgres_conf(54321, Path("/srv/pg/data"))
    assert "listen_addresses = '127.0.0.1'" in conf
    assert "port = 54321" in conf
    assert "unix_socket_directories = '/srv/pg/data'" in conf
    assert "fsync" not in conf  # durability stays at PostgreSQL's default: on


def test_newest_postgres_version_is_chosen_numerically() -> None:
    candidates = [Path(f"/usr/lib/postgresql/{v}/bin") for v in ("9.6", "15", "13")]
    assert newest_bindir(candidates) == Path("/usr/lib/postgresql/15/bin")


def test_the_pom_fetches_the_kafka_version_the_code_runs() -> None:
    pom = (find_repo_root() / POM_PATH).read_text()
    assert re.findall(r"<kafka\.version>(.+?)</kafka\.version>", pom) == [KAFKA_VERSION]
    assert kafka_libs_dir(Path("/repo")) == Path(f"/repo/.cache/kafka/{KAFKA_VERSION}/libs")


def test_kafka_container_runs_our_settings_and_advertises_the_loopback_port() -> None:
    env = kafka_container_environment(41234)
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://127.0.0.1:41234"
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert len(env["CLUSTER_ID"]) == 22
    assert all(isinstance(value, str) for value in env.values())


def test_testkit_a_cluster_id_never_starts_like_a_command_line_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 0xF8 encodes to "-" first in URL-safe base64; the next draw does not.
    draws = iter([b"\xf8" + bytes(15), bytes(16)])
    monkeypatch.setattr("civicgrid_testkit.kafka_config.os.urandom", lambda n: next(draws))
    assert new_cluster_id() == "AAAAAAAAAAAAAAAAAAAAAA"
