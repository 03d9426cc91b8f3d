"""Helm for the chart tests and scripts: find the binary, build dependencies, render, lint.

The charts depend on each other by `file://` (service charts on civicgrid-lib, the umbrella on
the service charts). `prepare` copies charts/ to a scratch directory and runs `helm dependency
update` there, so nothing is written into the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ROOT / "charts"
SERVICES = ("identity", "grid", "tickets", "volunteers", "notifications")
APPLICATION_CHARTS = (*SERVICES, "civicgrid")
EXAMPLES = ("minimal", "production", "one-process-per-service", "everything-split")
KUBE_VERSIONS = ("1.30.0", "1.33.0")
RELEASE, NAMESPACE = "civicgrid", "civicgrid"


def helm_binary() -> str:
    """helm from PATH, else from `go env GOPATH`/bin (where tooling/setup.sh installs it)."""
    found = shutil.which("helm")
    if found:
        return found
    gopath = os.environ.get("GOPATH")
    if not gopath and shutil.which("go"):
        gopath = subprocess.run(
            ["go", "env", "GOPATH"], capture_output=True, text=True, check=True
        ).stdout.strip()
    candidate = Path(gopath or Path.home() / "go") / "bin" / "helm"
    if candidate.is_file():
        return str(candidate)
    raise FileNotFoundError("helm not found on PATH nor in $(go env GOPATH)/bin: run make setup")


def helm(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # Helm's own cache and config stay out of the user's home (nothing is downloaded).
    home = Path(tempfile.gettempdir()) / "civicgrid-helm"
    env = {**os.environ, "HELM_CACHE_HOME": str(home / "cache")}
    env.setdefault("HELM_CONFIG_HOME", str(home / "config"))
    env.setdefault("HELM_DATA_HOME", str(home / "data"))
    return subprocess.run(
        [helm_binary(), *args], capture_output=True, text=True, check=check, env=env
    )


def prepare(workdir: Path) -> Path:
    """A copy of charts/ under workdir with every dependency built; returns its charts dir."""
    target = workdir / "charts"
    shutil.copytree(CHARTS, target, ignore=shutil.ignore_patterns("charts", "Chart.lock"))
    for chart in APPLICATION_CHARTS:  # services before the umbrella that packages them
        result = helm("dependency", "update", "--skip-refresh", str(target / chart), check=False)
        if result.returncode:
            raise RuntimeError(f"helm dependency update {chart}: {result.stderr}")
    return target


def render(
    chart_dir: Path,
    values: Sequence[Path] = (),
    *,
    kube_version: str = KUBE_VERSIONS[-1],
    sets: Sequence[str] = (),
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    args = ["template", RELEASE, str(chart_dir), "--namespace", NAMESPACE]
    args += ["--kube-version", kube_version]
    for path in values:
        args += ["--values", str(path)]
    for assignment in sets:
        args += ["--set", assignment]
    return helm(*args, check=check)


def documents(manifest: str) -> Iterator[dict[str, Any]]:
    for document in yaml.safe_load_all(manifest):
        if document:
            yield document


def example(name: str) -> Path:
    return CHARTS / "civicgrid" / "ci" / f"{name}.yaml"


Rendered = list[dict[str, Any]]


def by_kind(docs: Rendered, kind: str) -> dict[str, dict[str, Any]]:
    """The rendered objects of one kind by name."""
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}
