"""gRPC load by ghz (Go): a Python client would spend more CPU per call than the server under
test, and both share this machine's cores."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

PROTOS = Path(__file__).resolve().parents[5] / "protos"


async def ghz(
    target: str,
    call: str,
    proto: str,
    token: str,
    data_file: Path,
    concurrency: int,
    total: int,
) -> dict[str, Any]:
    """ghz's JSON report of `total` calls of `call` (package.Service/Method) with `concurrency`
    in flight; the requests cycle through data_file (a JSON array). Fails unless all are OK."""
    binary = shutil.which("ghz")
    if binary is None:
        raise RuntimeError("ghz not found: make bench installs it with go install")
    done = await asyncio.to_thread(
        subprocess.run,
        [
            binary,
            "--insecure",
            "--call",
            call,
            "--import-paths",
            str(PROTOS),
            "--proto",
            proto,
            "--data-file",
            str(data_file),
            "--metadata",
            json.dumps({"authorization": f"Bearer {token}"}),
            "--concurrency",
            str(concurrency),
            "--total",
            str(total),
            "--format",
            "json",
            target,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"ghz failed:\n{done.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    if set(report["statusCodeDistribution"]) != {"OK"}:
        raise RuntimeError(f"{call} failed: {report['statusCodeDistribution']}")
    return report


def latency_ms(report: dict[str, Any], percentage: int) -> float:
    found = next(d for d in report["latencyDistribution"] if d["percentage"] == percentage)
    return float(found["latency"]) / 1e6
