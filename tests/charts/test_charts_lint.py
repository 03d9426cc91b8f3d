"""helm lint --strict on every chart, with its defaults and (the umbrella) every example."""

from __future__ import annotations

from pathlib import Path

import chartkit
import pytest


@pytest.mark.parametrize("chart", ["civicgrid-lib", *chartkit.APPLICATION_CHARTS])
def test_charts_lint_defaults(charts_dir: Path, chart: str) -> None:
    result = chartkit.helm("lint", "--strict", str(charts_dir / chart), check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("example", chartkit.EXAMPLES)
def test_charts_lint_examples(charts_dir: Path, example: str) -> None:
    values = str(chartkit.example(example))
    result = chartkit.helm(
        "lint", "--strict", str(charts_dir / "civicgrid"), "-f", values, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_charts_lint_service_chart_alone_with_split_mode(charts_dir: Path) -> None:
    # A service chart installed on its own (no umbrella) in its other mode.
    for chart in chartkit.SERVICES:
        result = chartkit.helm(
            "lint", "--strict", str(charts_dir / chart), "--set", "mode=split", check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
