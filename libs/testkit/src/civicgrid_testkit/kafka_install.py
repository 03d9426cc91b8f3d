"""The Kafka broker's jars, fetched once from Maven Central with tooling/kafka/pom.xml."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from civicgrid_testkit.kafka_config import KAFKA_VERSION
from civicgrid_testkit.processes import ServerStartError, describe_failure, run_command
from civicgrid_testkit.statefile import exclusive_lock

logger = logging.getLogger(__name__)

POM_PATH = Path("tooling/kafka/pom.xml")
_COMPLETE_MARKER = ".complete"
_MAVEN_TIMEOUT_SECONDS = 900.0


def find_repo_root(start: Path | None = None) -> Path:
    """The repository holding tooling/kafka/pom.xml, searched upwards from `start` (or cwd)."""
    origins = [start or Path.cwd(), Path(__file__).resolve()]
    for origin in origins:
        for directory in [origin.resolve(), *origin.resolve().parents]:
            if (directory / POM_PATH).is_file():
                return directory
    raise FileNotFoundError(
        f"no {POM_PATH} found above {origins[0]} or this package; run from the CivicGrid repo"
    )


def kafka_libs_dir(repo_root: Path) -> Path:
    return repo_root / ".cache" / "kafka" / KAFKA_VERSION / "libs"


def ensure_kafka_libs(repo_root: Path | None = None) -> Path:
    """The directory of broker jars, running Maven first if they are not there yet."""
    root = repo_root or find_repo_root()
    libs = kafka_libs_dir(root)
    if (libs / _COMPLETE_MARKER).exists():
        return libs
    with exclusive_lock(libs.parent / ".fetch.lock"):
        if (libs / _COMPLETE_MARKER).exists():
            return libs
        _fetch_with_maven(root / POM_PATH, libs)
    return libs


def _fetch_with_maven(pom: Path, libs: Path) -> None:
    maven = shutil.which("mvn")
    if maven is None:
        raise ServerStartError("Maven (mvn) is not on PATH; it is needed once to fetch Kafka")
    # Download next to the target and rename, so an interrupted fetch is never mistaken for
    # a complete one.
    partial = libs.with_name(f"libs.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    logger.info("fetching Apache Kafka %s jars with Maven into %s", KAFKA_VERSION, libs)
    result = run_command(
        [
            maven,
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={partial}",
        ],
        timeout=_MAVEN_TIMEOUT_SECONDS,
    )
    broker_jar = partial / f"kafka_2.13-{KAFKA_VERSION}.jar"
    if result.returncode != 0 or not broker_jar.exists():
        shutil.rmtree(partial, ignore_errors=True)
        raise ServerStartError(f"could not fetch Kafka jars: {describe_failure(result)}")
    (partial / _COMPLETE_MARKER).touch()
    shutil.rmtree(libs, ignore_errors=True)
    partial.rename(libs)
