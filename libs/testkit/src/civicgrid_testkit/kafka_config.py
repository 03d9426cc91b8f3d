"""Broker settings for one combined KRaft broker+controller, as server.properties or Docker env."""

from __future__ import annotations

import base64
import os

from civicgrid_testkit.processes import LOOPBACK

KAFKA_VERSION = "4.3.1"
NODE_ID = 1


def new_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (Kafka's Uuid).
    Like Kafka's own Uuid.randomUuid, never one that starts with "-": the storage tool's
    command line would read it as an option (one id in 64 did, and the broker failed to start)."""
    while True:
        found = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode("ascii")
        if not found.startswith("-"):
            return found


def broker_settings(
    *,
    broker_port: int,
    controller_port: int,
    log_dir: str,
    listen_host: str = LOOPBACK,
    advertised_port: int | None = None,
) -> dict[str, str]:
    """Settings for a single-node cluster; `advertised_port` differs only behind Docker's NAT."""
    return {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        "controller.quorum.voters": f"{NODE_ID}@{LOOPBACK}:{controller_port}",
        "listeners": (
            f"PLAINTEXT://{listen_host}:{broker_port},CONTROLLER://{LOOPBACK}:{controller_port}"
        ),
        "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{advertised_port or broker_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": log_dir,
        "num.partitions": "3",
        # Services create their topics explicitly; a typo must fail, not invent a topic.
        "auto.create.topics.enable": "false",
        # One broker: internal topics cannot have more replicas than that.
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "3",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Tests start consumers one after another; waiting 3s for more members only slows them.
        "group.initial.rebalance.delay.ms": "0",
        # Two cores are shared with PostgreSQL and the services: keep thread pools small.
        "num.network.threads": "2",
        "num.io.threads": "2",
        "background.threads": "2",
        "num.recovery.threads.per.data.dir": "1",
    }


def render_server_properties(settings: dict[str, str]) -> str:
    """The settings in java.util.Properties form."""
    lines = ["# Written by civicgrid_testkit on every start; changes here are overwritten."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def settings_as_docker_env(settings: dict[str, str]) -> dict[str, str]:
    """The settings as the apache/kafka image expects them: log.dirs -> KAFKA_LOG_DIRS."""
    return {"KAFKA_" + key.upper().replace(".", "_"): value for key, value in settings.items()}
