"""A real PostgreSQL server run from the machine's own binaries in a directory we choose.

Layout of `root`: `data/` (the cluster), `postgres.log`, `state.json` (superuser password and
port, so a second `make run` reuses the data, the port and therefore the DSNs).
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import asyncpg

from civicgrid_testkit.asyncbridge import run_sync
from civicgrid_testkit.osuser import ServerUser, server_user
from civicgrid_testkit.processes import (
    LOOPBACK,
    ServerStartError,
    ServerStopError,
    describe_failure,
    find_free_port,
    log_since,
    log_size,
    log_tail,
    port_is_free,
    run_command,
)
from civicgrid_testkit.provisioning import ServiceDatabase, provision_service_database
from civicgrid_testkit.statefile import exclusive_lock, read_state, write_state

__all__ = [
    "LocalPostgres",
    "PostgresInstance",
    "ServiceDatabase",
    "find_pg_bindir",
    "provision_service_database",
    "render_postgres_conf",
    "wait_for_postgres",
]

logger = logging.getLogger(__name__)

SUPERUSER = "postgres"
DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
CONF_FILE = "civicgrid.conf"
# A unix socket path (dir + "/.s.PGSQL.NNNNN") must fit in sockaddr_un.sun_path (108 bytes).
_MAX_SOCKET_DIR_LENGTH = 90
_START_ATTEMPTS = 3


@dataclass(frozen=True)
class PostgresInstance:
    """A running PostgreSQL server and how to reach it as the superuser."""

    host: str
    port: int
    user: str
    password: str
    pid: int | None

    @property
    def admin_dsn(self) -> str:
        return (
            f"postgresql://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/postgres"
        )


def find_pg_bindir() -> Path:
    """Where initdb/pg_ctl live: pg_config's bindir if it has them, else Debian's newest."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = run_command([pg_config, "--bindir"])
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").exists():
            return bindir
    candidates = [path for path in DEBIAN_PG_ROOT.glob("*/bin") if (path / "initdb").exists()]
    if not candidates:
        raise ServerStartError(
            "no PostgreSQL server binaries found (pg_config --bindir has no initdb and "
            f"{DEBIAN_PG_ROOT}/*/bin is empty); install the postgresql package"
        )
    return newest_bindir(candidates)


def newest_bindir(candidates: list[Path]) -> Path:
    """The `<version>/bin` directory with the highest version (numerically: 15 beats 9.6)."""

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)

    return max(candidates, key=version)


def render_postgres_conf(port: int, socket_dir: Path) -> str:
    """Settings we own, kept in a file of their own that postgresql.conf includes."""
    return "\n".join(
        [
            "# Written by civicgrid_testkit on every start; edit postgresql.conf instead.",
            f"listen_addresses = '{LOOPBACK}'",
            f"port = {port}",
            # Keep sockets out of /var/run/postgresql, which may not exist or be ours.
            f"unix_socket_directories = '{socket_dir}'",
            "password_encryption = 'scram-sha-256'",
            # Five services with connection pools plus test suites share one server.
            "max_connections = 300",
            # A district import writes ~1 GB of WAL at 100k grids: without room it checkpoints
            # several times mid-transaction. 256 MB of buffers keeps such a district cached.
            "shared_buffers = '256MB'",
            "max_wal_size = '4GB'",
            "",
        ]
    )


async def wait_for_postgres(dsn: str, within: float, *, log_path: Path | None = None) -> None:
    """Poll until a real connection runs SELECT 1; raise ServerStartError after `within` s."""
    deadline = time.monotonic() + within
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            connection = await asyncpg.connect(dsn, timeout=2.0)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            last_error = error
            await asyncio.sleep(0.1)
            continue
        try:
            if await connection.fetchval("SELECT 1") == 1:
                return
        finally:
            await connection.close()
    tail = log_tail(log_path) if log_path else ""
    raise ServerStartError(
        f"PostgreSQL did not accept connections within {within:.0f}s: {last_error!r}\n{tail}"
    )


class LocalPostgres:
    """Start (or reuse) and stop a PostgreSQL server whose files live under `root`."""

    def __init__(self, root: Path, *, bindir: Path | None = None) -> None:
        self.root = root.resolve()
        self.data_dir = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.state_path = self.root / "state.json"
        self._lock_path = self.root / ".civicgrid.lock"
        self._bindir = bindir

    @property
    def bindir(self) -> Path:
        if self._bindir is None:
            self._bindir = find_pg_bindir()
        return self._bindir

    def start(self, timeout: float = 60.0) -> PostgresInstance:
        """Initialise the cluster if needed, start it unless it already runs, wait until ready."""
        with exclusive_lock(self._lock_path):
            user = server_user()
            self.root.mkdir(parents=True, exist_ok=True)
            state = self._load_or_create_state()
            user.take_ownership(self.root)
            user.ensure_can_write(self.root)
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb(user, str(state["password"]))
            if self._is_running(user):
                logger.info("reusing PostgreSQL already running in %s", self.data_dir)
            else:
                self._start_server(user, state, timeout)
            instance = self._running_instance(str(state["password"]))
        run_sync(wait_for_postgres(instance.admin_dsn, timeout, log_path=self.log_path))
        logger.info(
            "PostgreSQL ready on %s:%d (data in %s)", instance.host, instance.port, self.data_dir
        )
        return instance

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the server with a fast shutdown (rolls back open transactions, keeps data)."""
        if not (self.data_dir / "PG_VERSION").exists():
            return
        with exclusive_lock(self._lock_path):
            user = server_user()
            if not self._is_running(user):
                return
            result = run_command(
                user.command(
                    [
                        str(self.bindir / "pg_ctl"),
                        "stop",
                        "-D",
                        str(self.data_dir),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        str(int(timeout)),
                    ]
                ),
                cwd=self.root,
                timeout=timeout + 10,
            )
            if result.returncode != 0:
                raise ServerStopError(
                    f"PostgreSQL in {self.data_dir} did not stop: {describe_failure(result)}\n"
                    f"{log_tail(self.log_path)}"
                )
            logger.info("PostgreSQL in %s stopped", self.data_dir)

    def is_running(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists() and self._is_running(server_user())

    def instance(self) -> PostgresInstance:
        """The running server's address and superuser credentials."""
        return self._running_instance(str(read_state(self.state_path)["password"]))

    def _load_or_create_state(self) -> dict[str, object]:
        state = read_state(self.state_path)
        if "password" not in state:
            if (self.data_dir / "PG_VERSION").exists():
                raise ServerStartError(
                    f"{self.data_dir} holds a cluster but {self.state_path} (its superuser "
                    "password) is missing; delete the directory to start afresh"
                )
            state = {"password": secrets.token_urlsafe(24), "port": None, "user": SUPERUSER}
            write_state(self.state_path, state, private=True)
        return state

    def _initdb(self, user: ServerUser, password: str) -> None:
        password_file = self.root / ".initdb-password"
        password_file.write_text(password + "\n", encoding="utf-8")
        password_file.chmod(0o600)
        user.take_ownership(password_file)
        try:
            result = run_command(
                user.command(
                    [
                        str(self.bindir / "initdb"),
                        "-D",
                        str(self.data_dir),
                        "-U",
                        SUPERUSER,
                        f"--pwfile={password_file}",
                        "--auth=scram-sha-256",
                        "--encoding=UTF8",
                        "--locale=C",
                    ]
                ),
                cwd=self.root,
            )
        finally:
            password_file.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ServerStartError(f"initdb failed: {describe_failure(result)}")
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"\n# Settings owned by civicgrid_testkit\ninclude '{CONF_FILE}'\n")
        logger.info("initialised PostgreSQL cluster in %s", self.data_dir)

    def _is_running(self, user: ServerUser) -> bool:
        result = run_command(
            user.command([str(self.bindir / "pg_ctl"), "status", "-D", str(self.data_dir)]),
            cwd=self.root,
        )
        return result.returncode == 0

    def _start_server(self, user: ServerUser, state: dict[str, object], timeout: float) -> None:
        if len(str(self.data_dir)) > _MAX_SOCKET_DIR_LENGTH:
            raise ServerStartError(
                f"{self.data_dir} is too long for a unix socket path; use a shorter directory"
            )
        recorded = state.get("port")
        port = recorded if isinstance(recorded, int) and port_is_free(recorded) else None
        if isinstance(recorded, int) and port is None:
            logger.warning(
                "port %d recorded for %s is taken; choosing another", recorded, self.data_dir
            )
        for attempt in range(1, _START_ATTEMPTS + 1):
            port = port or find_free_port()
            conf_path = self.data_dir / CONF_FILE
            conf_path.write_text(render_postgres_conf(port, self.data_dir), encoding="utf-8")
            user.take_ownership(conf_path)
            log_offset = log_size(self.log_path)
            result = run_command(
                user.command(
                    [
                        str(self.bindir / "pg_ctl"),
                        "start",
                        "-D",
                        str(self.data_dir),
                        "-l",
                        str(self.log_path),
                        "-w",
                        "-t",
                        str(int(timeout)),
                    ]
                ),
                cwd=self.root,
                timeout=timeout + 10,
            )
            if result.returncode == 0:
                write_state(self.state_path, {**state, "port": port}, private=True)
                return
            new_log = log_since(self.log_path, log_offset)
            # Another process may grab the port between our check and the server's bind.
            if "Address already in use" in new_log and attempt < _START_ATTEMPTS:
                logger.warning("port %d was taken while PostgreSQL started; retrying", port)
                port = None
                continue
            raise ServerStartError(
                f"PostgreSQL in {self.data_dir} failed to start: {describe_failure(result)}\n"
                f"--- {self.log_path} ---\n{new_log[-4000:] or log_tail(self.log_path)}"
            )

    def _running_instance(self, password: str) -> PostgresInstance:
        # postmaster.pid: pid, data dir, start time, port, socket dir, listen address, ...
        lines = (self.data_dir / "postmaster.pid").read_text(encoding="utf-8").splitlines()
        return PostgresInstance(
            host=LOOPBACK,
            port=int(lines[3]),
            user=SUPERUSER,
            password=password,
            pid=int(lines[0]),
        )
