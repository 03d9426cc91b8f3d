"""Write (or, with --check, verify) every chart's values.yaml, values.schema.json and README table.

    uv run --frozen --no-sync python tooling/charts/generate.py          # write
    uv run --frozen --no-sync python tooling/charts/generate.py --check  # exit 1 when stale

values.yaml and values.schema.json come from values_spec.py; the README parameter table (between
the `<!-- parameters:start -->` and `<!-- parameters:end -->` markers) from values.schema.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from spec_dsl import parameter_rows, schema_text, values_yaml
from values_spec import charts

CHARTS = Path(__file__).resolve().parents[2] / "charts"
START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"
HEADER = (
    "Default values of the {name} chart; every key is described above it and in\n"
    "values.schema.json (which refuses unknown keys)."
)


def readme_table(schema: dict[str, object]) -> str:
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    for key, kind, default, doc in parameter_rows(schema):
        cells = [f"`{key}`", kind, f"`{default}`" if default else "", doc]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def with_table(readme: str, table: str) -> str:
    head, found, rest = readme.partition(START)
    if not found:
        raise SystemExit(f"README lacks {START}")
    _, found, tail = rest.partition(END)
    if not found:
        raise SystemExit(f"README lacks {END}")
    return f"{head}{START}\n{table}\n{END}{tail}"


def expected_files() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for name, spec in charts().items():
        chart = CHARTS / name
        schema = schema_text(spec)
        files[chart / "values.schema.json"] = schema
        files[chart / "values.yaml"] = values_yaml(spec, HEADER.format(name=name))
        readme = chart / "README.md"
        current = (
            readme.read_text()
            if readme.exists()
            else f"# {name}\n\n## Parameters\n\n{START}\n{END}\n"
        )
        files[readme] = with_table(current, readme_table(json.loads(schema)))
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a file is not current")
    args = parser.parse_args()
    stale = []
    for path, text in expected_files().items():
        if path.exists() and path.read_text() == text:
            continue
        if args.check:
            stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        names = ", ".join(str(p.relative_to(CHARTS.parent)) for p in stale)
        print(f"stale: {names}; run tooling/charts/generate.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
