"""Pausing the cycle collector for bulk builds leaves it as it found it, across threads."""

from __future__ import annotations

import gc
import threading

from civicgrid_platform.collector import collector_paused


def test_nested_and_concurrent_pauses_restore_the_collector() -> None:
    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()

    def other_build() -> None:
        with collector_paused():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=other_build)
    with collector_paused():
        worker.start()
        inside.wait(5)
        with collector_paused():
            assert not gc.isenabled()
    assert not gc.isenabled()  # the worker's build is still running
    release.set()
    worker.join(5)
    assert gc.isenabled()


def test_a_collector_switched_off_beforehand_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
