"""civicgrid-grid serve --components http,grpc,consumers,relay,timers | migrate"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from civicgrid_grid.settings import GridSettings
from civicgrid_platform.logs import configure_logging
from civicgrid_platform.settings import ALL_COMPONENTS

MIGRATIONS = Path(__file__).parent / "migrations"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="civicgrid-grid", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the chosen components in this process")
    serve.add_argument("--components", default=",".join(ALL_COMPONENTS))
    sub.add_parser("migrate", help="bring the database schema up to date")
    demo = sub.add_parser(
        "demo-data",
        help="write a synthetic district (GeoJSON import input) and its departments as JSON",
    )
    demo.add_argument("--grids", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--areas-only", action="store_true", help="no compounds, buildings, units")
    demo.add_argument("--out", type=Path, required=True)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.command == "demo-data":
        from civicgrid_grid.demo_data import demo_departments, generate_district

        demo = {
            "district": generate_district(
                grids=args.grids, seed=args.seed, areas_only=args.areas_only
            ),
            "departments": demo_departments(),
        }
        args.out.write_text(json.dumps(demo, ensure_ascii=False))
        return
    settings = GridSettings()
    configure_logging(settings.service_name, settings.log_level)
    if args.command == "migrate":
        from civicgrid_platform.migrate import upgrade

        upgrade(MIGRATIONS, settings.database_migrate_url or settings.database_url)
        return
    names = [n.strip() for n in args.components.split(",") if n.strip()]
    unknown = sorted(set(names) - set(ALL_COMPONENTS))
    if unknown:
        sys.exit(f"unknown components {unknown}; choose from {list(ALL_COMPONENTS)}")
    sys.exit(asyncio.run(serve(settings, names)))


async def serve(settings: GridSettings, names: list[str]) -> int:
    from civicgrid_grid.bootstrap import build, components
    from civicgrid_platform.runner import ProcessRunner
    from civicgrid_platform.telemetry import configure_telemetry

    configure_telemetry(
        settings.service_name,
        otlp_endpoint=settings.otlp_endpoint,
        instance_id=settings.instance_id,
    )
    grid = build(settings)
    try:
        return await ProcessRunner(
            components(grid, names), drain_seconds=settings.drain_seconds
        ).run()
    finally:
        await grid.aclose()


if __name__ == "__main__":
    main()
