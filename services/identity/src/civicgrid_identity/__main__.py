"""civicgrid-identity serve --components http,grpc,consumers,relay,timers | migrate"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from civicgrid_identity.settings import IdentitySettings
from civicgrid_platform.logs import configure_logging
from civicgrid_platform.settings import ALL_COMPONENTS

MIGRATIONS = Path(__file__).parent / "migrations"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="civicgrid-identity", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the chosen components in this process")
    serve.add_argument("--components", default=",".join(ALL_COMPONENTS))
    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument(
        "--bootstrap-admin",
        action="store_true",
        help="create the platform tenant and its first admin when none exists",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse(sys.argv[1:] if argv is None else argv)
    settings = IdentitySettings()
    configure_logging(settings.service_name, settings.log_level)
    if args.command == "migrate":
        from civicgrid_platform.migrate import upgrade

        upgrade(MIGRATIONS, settings.database_migrate_url or settings.database_url)
        if args.bootstrap_admin:
            asyncio.run(bootstrap_admin(settings))
        return
    names = [n.strip() for n in args.components.split(",") if n.strip()]
    unknown = sorted(set(names) - set(ALL_COMPONENTS))
    if unknown:
        sys.exit(f"unknown components {unknown}; choose from {list(ALL_COMPONENTS)}")
    sys.exit(asyncio.run(serve(settings, names)))


async def serve(settings: IdentitySettings, names: list[str]) -> int:
    from civicgrid_identity.bootstrap import build, components
    from civicgrid_platform.runner import ProcessRunner
    from civicgrid_platform.telemetry import configure_telemetry

    configure_telemetry(
        settings.service_name,
        otlp_endpoint=settings.otlp_endpoint,
        instance_id=settings.instance_id,
    )
    identity = build(settings)
    await identity.keyring.ensure_key()
    try:
        return await ProcessRunner(
            components(identity, names), drain_seconds=settings.drain_seconds
        ).run()
    finally:
        await identity.aclose()


async def bootstrap_admin(settings: IdentitySettings) -> None:
    from civicgrid_identity.bootstrap import build
    from civicgrid_identity.usecases.platform_admin import ensure_platform_admin

    if settings.bootstrap_admin_password is None:
        sys.exit("set CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD to create the first platform admin")
    identity = build(settings)
    try:
        await ensure_platform_admin(
            identity.ctx,
            settings.bootstrap_admin_email,
            settings.bootstrap_admin_password.get_secret_value(),
        )
    finally:
        await identity.aclose()


if __name__ == "__main__":
    main()
