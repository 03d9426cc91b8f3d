"""The small helpers the server code relies on: state files, processes, the async bridge."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from civicgrid_testkit.asyncbridge import run_sync
from civicgrid_testkit.processes import log_since, log_size, log_tail, process_is_alive
from civicgrid_testkit.statefile import read_state, write_state


async def _answer(value: int) -> int:
    await asyncio.sleep(0)
    return value


async def _fail() -> None:
    raise LookupError("from the coroutine")


def test_run_sync_without_a_running_loop() -> None:
    assert run_sync(_answer(7)) == 7


async def test_run_sync_inside_a_running_loop_uses_another_thread() -> None:
    assert run_sync(_answer(8)) == 8
    with pytest.raises(LookupError, match="from the coroutine"):
        run_sync(_fail())


def test_state_round_trips_and_private_state_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.json"
    assert read_state(path) == {}
    write_state(path, {"password": "x", "port": 5432}, private=True)
    assert read_state(path) == {"password": "x", "port": 5432}
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temp file left


def test_a_reaped_child_is_not_alive_and_we_are() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not process_is_alive(child.pid)
    assert process_is_alive(os.getpid())


def test_log_helpers_show_the_end_and_what_a_later_attempt_appended(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    assert "no log" in log_tail(log)
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    offset = log_size(log)
    with log.open("a") as handle:
        handle.write("FATAL: Address already in use\n")
    assert log_since(log, offset) == "FATAL: Address already in use\n"
    assert log_tail(log, lines=2) == "line 99\nFATAL: Address already in use"
