"""The committed renderings under charts/civicgrid/golden/ are what helm renders now.

Regenerate after a deliberate change: uv run --frozen --no-sync python tooling/charts/golden.py
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import chartkit
import pytest
from golden import CASES, GOLDEN


@pytest.mark.parametrize("case", CASES)
def test_charts_golden_rendering_is_current(
    render_umbrella: Callable[[str, str], str], case: str
) -> None:
    golden = (GOLDEN / f"{case}.yaml").read_text()
    fresh = render_umbrella(case, chartkit.KUBE_VERSIONS[-1])
    diff = difflib.unified_diff(
        golden.splitlines(), fresh.splitlines(), "golden", "fresh", lineterm=""
    )
    assert golden == fresh, "\n".join(list(diff)[:60]) + "\nrun tooling/charts/golden.py"
