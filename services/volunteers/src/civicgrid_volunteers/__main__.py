"""civicgrid-volunteers serve --components http,grpc,consumers,relay,timers | migrate | topics"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from civicgrid_platform.command_line import ServiceCommandLine
from civicgrid_volunteers.settings import VolunteersSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def _build(settings: Any) -> Any:
    from civicgrid_volunteers.bootstrap import build

    return build(settings)


def _topics(settings: Any) -> Any:
    from civicgrid_volunteers.events.outgoing import topic_specs

    return topic_specs(settings)


COMMAND_LINE = ServiceCommandLine(
    name="volunteers",
    settings=VolunteersSettings,
    migrations=MIGRATIONS,
    build=_build,
    topics=_topics,
)
main = COMMAND_LINE.main

if __name__ == "__main__":
    main()
