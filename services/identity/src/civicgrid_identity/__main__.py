"""civicgrid-identity serve --components http,grpc,consumers,relay,timers | migrate | topics"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from civicgrid_identity.settings import IdentitySettings
from civicgrid_platform.command_line import ServiceCommandLine

MIGRATIONS = Path(__file__).parent / "migrations"


def _build(settings: Any) -> Any:
    from civicgrid_identity.bootstrap import build

    return build(settings)


def _topics(settings: Any) -> Any:
    from civicgrid_identity.events.outgoing import topic_specs

    return topic_specs(settings)


def _migrate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bootstrap-admin",
        action="store_true",
        help="create the platform tenant and its first admin when none exists",
    )


def _after_migrate(args: argparse.Namespace, settings: IdentitySettings) -> None:
    if args.bootstrap_admin:
        asyncio.run(bootstrap_admin(settings))


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


COMMAND_LINE = ServiceCommandLine(
    name="identity",
    settings=IdentitySettings,
    migrations=MIGRATIONS,
    build=_build,
    topics=_topics,
    migrate_options=_migrate_options,
    after_migrate=_after_migrate,
)
main = COMMAND_LINE.main

if __name__ == "__main__":
    main()
