"""The image recipe, run for real: each service's `uv sync` from the lock into a scratch
environment, then its entry point, its topics, the packages it must and must not contain, and
no writes at run time (tooling/image_recipe.sh). No Docker engine is needed, and none skips it:
a broken recipe fails here.

Uses uv's cache, so after the first run it takes well under a minute for all five services."""

from __future__ import annotations

import subprocess

from tests.images.images_support import RECIPE, ROOT, SERVICES


def _recipe(*services: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(RECIPE), *services],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_images_recipe_installs_and_runs_every_service_alone() -> None:
    done = _recipe()
    assert done.returncode == 0, done.stderr[-4000:]
    passed = [line.split(":")[0].removeprefix("ok ") for line in done.stdout.splitlines()]
    assert passed == list(SERVICES), done.stdout


def test_images_recipe_fails_for_a_package_the_lock_does_not_have() -> None:
    done = _recipe("no-such-service", timeout=60)
    assert done.returncode != 0
    assert "civicgrid-no-such-service" in done.stderr
