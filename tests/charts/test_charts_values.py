"""Values: generated files current, unknown keys refused, every setting the charts pass exists."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import chartkit
import generate
import pytest
from chartkit import by_kind


def test_charts_values_schemas_and_readmes_are_current() -> None:
    stale = [
        str(path.relative_to(chartkit.ROOT))
        for path, text in generate.expected_files().items()
        if not path.exists() or path.read_text() != text
    ]
    assert not stale, f"{stale}: run uv run --frozen --no-sync python tooling/charts/generate.py"


@pytest.mark.parametrize(
    "assignment",
    [
        "bogus=1",
        "global.bogus=1",
        "global.kafka.topics.bogus=1",
        "tickets.bogus=1",
        "tickets.components.http.bogus=1",
        "tickets.components.http.autoscaling.bogus=1",
        "identity.settings.notASetting=1",
        "grid.components.consumers.enabled=true",  # grid runs no consumers
        "tickets.mode=sideways",
        "notifications.secrets.keys.CIVICGRID_NOT_A_SECRET=x",
    ],
)
def test_charts_values_with_unknown_keys_are_refused(charts_dir: Path, assignment: str) -> None:
    result = chartkit.render(charts_dir / "civicgrid", sets=[assignment], check=False)
    assert result.returncode != 0, assignment
    assert "schema" in result.stderr, result.stderr


def test_charts_service_chart_alone_refuses_unknown_keys(charts_dir: Path) -> None:
    result = chartkit.render(
        charts_dir / "tickets", sets=["components.http.replica=3"], check=False
    )
    assert result.returncode != 0
    assert "replica" in result.stderr


SETTINGS_CLASSES = {
    "identity": "IdentitySettings",
    "grid": "GridSettings",
    "tickets": "TicketsSettings",
    "volunteers": "VolunteersSettings",
    "notifications": "NotificationsSettings",
}


@pytest.mark.parametrize("case", ["default", "production"])
def test_charts_every_civicgrid_variable_is_a_setting_of_its_service(
    render_umbrella: Callable[[str, str], str], case: str
) -> None:
    docs = list(chartkit.documents(render_umbrella(case, chartkit.KUBE_VERSIONS[-1])))
    for service, class_name in SETTINGS_CLASSES.items():
        settings = getattr(importlib.import_module(f"civicgrid_{service}.settings"), class_name)
        names = set(by_kind(docs, "ConfigMap")[f"civicgrid-{service}-config"]["data"])
        for kind in ("Deployment", "Job"):
            for doc in by_kind(docs, kind).values():
                if doc["metadata"]["labels"]["civicgrid.org/service"] == service:
                    for container in doc["spec"]["template"]["spec"]["containers"]:
                        names |= {e["name"] for e in container.get("env", [])}
        unknown = {
            name
            for name in names
            if name.removeprefix("CIVICGRID_").lower() not in settings.model_fields
        }
        assert not unknown, f"{service}: {sorted(unknown)}"
