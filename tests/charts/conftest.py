"""Fixtures of the chart tests: the charts with their dependencies built once per session, and
each rendering done once (values file x Kubernetes version) and shared by every test.

helm comes from PATH or `go env GOPATH`/bin (tooling/setup.sh installs it); without it these
tests fail rather than skip, so CI cannot pass without them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tooling" / "charts"))

import chartkit


@pytest.fixture(scope="session")
def charts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chartkit.helm_binary()  # FileNotFoundError: a failure, not a skip
    return chartkit.prepare(tmp_path_factory.mktemp("charts"))


@pytest.fixture(scope="session")
def render_umbrella(charts_dir: Path) -> Callable[[str, str], str]:
    """(case, kube version) -> manifest text; case is "default" or a ci/*.yaml name."""
    cache: dict[tuple[str, str], str] = {}

    def render(case: str, kube_version: str = chartkit.KUBE_VERSIONS[-1]) -> str:
        if (case, kube_version) not in cache:
            values = [] if case == "default" else [chartkit.example(case)]
            result = chartkit.render(charts_dir / "civicgrid", values, kube_version=kube_version)
            cache[case, kube_version] = result.stdout
        return cache[case, kube_version]

    return render


@pytest.fixture(scope="session")
def split_docs(render_umbrella: Callable[[str, str], str]) -> chartkit.Rendered:
    return list(chartkit.documents(render_umbrella("everything-split", chartkit.KUBE_VERSIONS[-1])))
