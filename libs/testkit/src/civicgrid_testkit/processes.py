"""Process and port helpers shared by the local PostgreSQL and Kafka servers."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
LOG_TAIL_LINES = 40


class ServerStartError(RuntimeError):
    """A server could not be started or did not become ready; the message carries its log tail."""


class ServerStopError(RuntimeError):
    """A server did not stop cleanly."""


def find_free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether a server could bind `port` on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Servers set SO_REUSEADDR, so connections of a stopped server lingering in TIME_WAIT
        # do not keep it from binding its old port; only a live listener does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of a log file, for error messages."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return last_lines(text, lines)


def last_lines(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


def run_command(
    command: Sequence[str], *, cwd: Path | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """Run a short-lived command, returning its result whatever its exit code."""
    logger.debug("running %s", " ".join(command))
    return subprocess.run(
        list(command),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def describe_failure(result: subprocess.CompletedProcess[str]) -> str:
    """A readable account of a failed command for an exception message."""
    output = "\n".join(part.strip() for part in (result.stdout, result.stderr) if part.strip())
    return f"`{' '.join(result.args)}` exited with {result.returncode}:\n{output}"


def process_is_alive(pid: int) -> bool:
    """Whether `pid` names a live process (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    # The state letter follows the parenthesised command name, which may contain spaces.
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def process_command_line(pid: int) -> list[str]:
    """The argv of a live process, or [] when it is gone or unreadable."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, PermissionError):
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def terminate_process(pid: int, *, grace_seconds: float, description: str) -> None:
    """SIGTERM `pid` (its clean shutdown path), then SIGKILL if it outlives the grace period."""
    if not process_is_alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    if wait_for_exit(pid, grace_seconds):
        return
    logger.warning(
        "%s (pid %d) ignored SIGTERM for %.0fs; killing it", description, pid, grace_seconds
    )
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if not wait_for_exit(pid, 10.0):
        raise ServerStopError(f"{description} (pid {pid}) survived SIGKILL")


def wait_for_exit(pid: int, timeout: float) -> bool:
    """Poll until `pid` is gone; False if it is still alive after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while process_is_alive(pid):
        if time.monotonic() >= deadline:
            return False
        _reap_if_child(pid)
        time.sleep(0.05)
    _reap_if_child(pid)
    return True


def _reap_if_child(pid: int) -> None:
    # A server we spawned ourselves stays a zombie until we wait for it.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return


def log_size(path: Path) -> int:
    """Current size of a log file, to read only what a later attempt appends."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def log_since(path: Path, offset: int) -> str:
    """What was appended to a log file after `offset`."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")
    except FileNotFoundError:
        return ""
