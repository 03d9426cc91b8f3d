"""Render the umbrella chart (defaults, each ci/*.yaml) into charts/civicgrid/golden/.

    uv run --frozen --no-sync python tooling/charts/golden.py          # regenerate
    uv run --frozen --no-sync python tooling/charts/golden.py --check  # exit 1 on any difference

Rendered for Kubernetes 1.33 as release "civicgrid" in namespace "civicgrid". A reviewer reads the
diff of these files to see what a template change does to real manifests.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import chartkit

GOLDEN = chartkit.CHARTS / "civicgrid" / "golden"
CASES = ("default", *chartkit.EXAMPLES)


def render_case(charts: Path, case: str) -> str:
    values = [] if case == "default" else [chartkit.example(case)]
    return chartkit.render(charts / "civicgrid", values).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a golden file differs")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as scratch:
        charts = chartkit.prepare(Path(scratch))
        for case in CASES:
            path = GOLDEN / f"{case}.yaml"
            text = render_case(charts, case)
            if not args.check:
                GOLDEN.mkdir(exist_ok=True)
                path.write_text(text)
                continue
            current = path.read_text() if path.exists() else ""
            if current != text:
                failed = True
                diff = difflib.unified_diff(
                    current.splitlines(), text.splitlines(), str(path), "helm template", lineterm=""
                )
                print("\n".join(list(diff)[:80]), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
