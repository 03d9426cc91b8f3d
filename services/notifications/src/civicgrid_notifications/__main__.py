"""civicgrid-notifications serve --components http,grpc,consumers,relay,timers | migrate | topics"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from civicgrid_notifications.settings import NotificationsSettings
from civicgrid_platform.command_line import ServiceCommandLine

MIGRATIONS = Path(__file__).parent / "migrations"


def _build(settings: Any) -> Any:
    from civicgrid_notifications.bootstrap import build

    return build(settings)


def _topics(settings: Any) -> Any:
    from civicgrid_notifications.events.outgoing import topic_specs

    return topic_specs(settings)


COMMAND_LINE = ServiceCommandLine(
    name="notifications",
    settings=NotificationsSettings,
    migrations=MIGRATIONS,
    build=_build,
    topics=_topics,
)
main = COMMAND_LINE.main

if __name__ == "__main__":
    main()
