"""The unprivileged OS account that runs PostgreSQL when we are root.

initdb, pg_ctl and postgres refuse to run as root (a compromised server must not own the
machine), and CI containers and this dev box run as root. So we run them as `postgres` if
the machine has it, else as a system user we create, via `runuser`.
"""

from __future__ import annotations

import logging
import os
import pwd
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from civicgrid_testkit.processes import ServerStartError, describe_failure, run_command

logger = logging.getLogger(__name__)

PREFERRED_USER = "postgres"
CREATED_USER = "civicgrid-pg"
_USERADD_NAME_IN_USE = 9


@dataclass(frozen=True)
class ServerUser:
    """Who runs the server processes; `name` is None when that is simply the current user."""

    name: str | None
    uid: int
    gid: int

    def command(self, argv: Sequence[str]) -> list[str]:
        """`argv`, wrapped to run as this user when we have to switch users."""
        if self.name is None:
            return list(argv)
        return ["runuser", "-u", self.name, "--", *argv]

    def take_ownership(self, path: Path) -> None:
        """Give `path` to this user so the server can write there (the data directory is
        created by initdb as this user already, so nothing below needs walking)."""
        if self.name is not None:
            os.chown(path, self.uid, self.gid)

    def ensure_can_write(self, path: Path) -> None:
        """Fail clearly when an ancestor directory keeps this user from reaching `path`."""
        if self.name is None:
            return
        result = run_command(self.command(["test", "-w", str(path), "-a", "-x", str(path)]))
        if result.returncode != 0:
            raise ServerStartError(
                f"OS user {self.name!r} cannot write {path}: every parent directory must be "
                "searchable by others (mode o+x); use a directory such as /tmp/... or .run/"
            )


def server_user() -> ServerUser:
    """The account to run PostgreSQL as, creating a system user when root has none to use."""
    if os.geteuid() != 0:
        return ServerUser(name=None, uid=os.getuid(), gid=os.getgid())
    for name in (PREFERRED_USER, CREATED_USER):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return ServerUser(name=name, uid=entry.pw_uid, gid=entry.pw_gid)
    _create_system_user(CREATED_USER)
    entry = pwd.getpwnam(CREATED_USER)
    return ServerUser(name=CREATED_USER, uid=entry.pw_uid, gid=entry.pw_gid)


def _create_system_user(name: str) -> None:
    logger.info("creating system user %s to run PostgreSQL", name)
    result = run_command(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]
    )
    # Another process may have created it between our lookup and useradd; that is fine.
    if result.returncode not in (0, _USERADD_NAME_IN_USE):
        raise ServerStartError(f"could not create OS user {name}: {describe_failure(result)}")
