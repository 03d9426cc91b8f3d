"""The topics the chart provisions are the topics the code declares.

With the job provisioner a hook Job runs the service's own `topics` command; with Strimzi the
KafkaTopic resources come from each chart's kafkaTopics values, so they are compared with what
`python -m civicgrid_<service> topics --list` prints (the service's topics and their .dlq)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable

import chartkit
import pytest
from chartkit import by_kind

from civicgrid_platform.events.topics import dlq_topic

PRODUCTION_PARTITIONS = 6  # charts/civicgrid/ci/production.yaml: global.kafka.topicPartitions


def code_topics(
    service: str,
    partitions: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> set[tuple[str, int, int | None]]:
    monkeypatch.setenv("CIVICGRID_KAFKA_TOPIC_PARTITIONS", str(partitions))
    command_line = importlib.import_module(f"civicgrid_{service}.__main__").COMMAND_LINE
    capsys.readouterr()
    command_line.main(["topics", "--list"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    return {(t["name"], t["partitions"], t["retention_ms"]) for t in lines}


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_strimzi_topics_equal_the_code_topics(
    render_umbrella: Callable[[str, str], str],
    service: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    docs = list(chartkit.documents(render_umbrella("production", chartkit.KUBE_VERSIONS[-1])))
    rendered = {
        (
            topic["spec"]["topicName"],
            topic["spec"]["partitions"],
            topic["spec"].get("config", {}).get("retention.ms"),
        )
        for topic in by_kind(docs, "KafkaTopic").values()
        if topic["metadata"]["labels"]["civicgrid.org/service"] == service
    }
    expected = code_topics(service, PRODUCTION_PARTITIONS, monkeypatch, capsys)
    assert rendered == expected
    # The names the code's events modules declare, and their dead-letter topics.
    topic = importlib.import_module(f"civicgrid_{service}.events.outgoing").TOPIC
    assert {name for name, _, _ in rendered} == {topic, dlq_topic(topic)}
    for kafka_topic in by_kind(docs, "KafkaTopic").values():
        assert kafka_topic["metadata"]["labels"]["strimzi.io/cluster"] == "civicgrid"
        assert kafka_topic["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_topic_job_runs_the_code_topics_command(
    render_umbrella: Callable[[str, str], str], service: str
) -> None:
    docs = list(chartkit.documents(render_umbrella("default", chartkit.KUBE_VERSIONS[-1])))
    assert not by_kind(docs, "KafkaTopic")
    job = by_kind(docs, "Job")[f"civicgrid-{service}-topics"]
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", f"civicgrid_{service}"]
    assert container["args"] == ["topics"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["CIVICGRID_KAFKA_TOPIC_PARTITIONS"] == "3"
    assert env["CIVICGRID_KAFKA_BOOTSTRAP"] == "civicgrid-kafka-bootstrap:9092"


@pytest.mark.parametrize("service", chartkit.SERVICES)
def test_charts_migration_job_is_a_hook_with_the_owner_dsn(
    render_umbrella: Callable[[str, str], str], service: str
) -> None:
    docs = list(chartkit.documents(render_umbrella("default", chartkit.KUBE_VERSIONS[-1])))
    job = by_kind(docs, "Job")[f"civicgrid-{service}-migrate"]
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    (container,) = job["spec"]["template"]["spec"]["containers"]
    expected_args = ["migrate", "--bootstrap-admin"] if service == "identity" else ["migrate"]
    assert container["args"] == expected_args
    env = {e["name"]: e for e in container["env"]}
    assert (
        env["CIVICGRID_DATABASE_MIGRATE_URL"]["valueFrom"]["secretKeyRef"]["key"]
        == "database-migrate-url"
    )
