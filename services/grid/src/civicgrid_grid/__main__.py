"""civicgrid-grid serve --components http,grpc,consumers,relay,timers | migrate | topics
| demo-data"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from civicgrid_grid.settings import GridSettings
from civicgrid_platform.command_line import Command, ServiceCommandLine

MIGRATIONS = Path(__file__).parent / "migrations"


def _build(settings: Any) -> Any:
    from civicgrid_grid.bootstrap import build

    return build(settings)


def _topics(settings: Any) -> Any:
    from civicgrid_grid.events.outgoing import topic_specs

    return topic_specs(settings)


def _demo_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--grids", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--areas-only", action="store_true", help="no compounds, buildings, units")
    parser.add_argument("--out", type=Path, required=True)


def _demo_data(args: argparse.Namespace, settings: Callable[[], Any]) -> None:
    from civicgrid_grid.demo_data import demo_departments, generate_district

    demo = {
        "district": generate_district(grids=args.grids, seed=args.seed, areas_only=args.areas_only),
        "departments": demo_departments(),
    }
    args.out.write_text(json.dumps(demo, ensure_ascii=False))


COMMAND_LINE = ServiceCommandLine(
    name="grid",
    settings=GridSettings,
    migrations=MIGRATIONS,
    build=_build,
    topics=_topics,
    commands={
        "demo-data": Command(
            "write a synthetic district (GeoJSON import input) and its departments as JSON",
            _demo_options,
            _demo_data,
        )
    },
)
main = COMMAND_LINE.main

if __name__ == "__main__":
    main()
