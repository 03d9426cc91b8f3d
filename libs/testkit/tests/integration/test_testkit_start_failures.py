"""A server that cannot start fails fast with its log tail, and leaves no process behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgrid_testkit import unique_name
from civicgrid_testkit.kafka import LocalKafka
from civicgrid_testkit.postgres import LocalPostgres
from civicgrid_testkit.processes import ServerStartError, process_is_alive

pytestmark = pytest.mark.integration


def test_postgres_with_a_broken_setting_reports_the_servers_complaint(
    civicgrid_servers_dir: Path,
) -> None:
    server = LocalPostgres(civicgrid_servers_dir / unique_name("broken_pg"))
    server.start()
    server.stop()
    with (server.data_dir / "postgresql.conf").open("a") as conf:
        conf.write("shared_buffers = 'plenty'\n")

    with pytest.raises(ServerStartError) as failure:
        server.start(timeout=30)

    assert "shared_buffers" in str(failure.value)
    assert not server.is_running()


def test_kafka_that_exits_while_starting_reports_its_log_and_leaves_no_process(
    civicgrid_servers_dir: Path,
) -> None:
    broker = LocalKafka(civicgrid_servers_dir / unique_name("broken_kafka"))
    broker.start()
    broker.stop()
    meta = broker.data_dir / "meta.properties"
    meta.write_text(meta.read_text().replace("node.id=1", "node.id=7"))

    with pytest.raises(ServerStartError) as failure:
        broker.start(timeout=60)

    assert "Kafka exited while starting" in str(failure.value)
    assert "node" in str(failure.value).lower()
    pid = broker.instance().pid
    assert pid is None or not process_is_alive(pid)
    assert not broker.is_running()
