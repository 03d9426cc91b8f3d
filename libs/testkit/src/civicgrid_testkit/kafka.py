"""A real Apache Kafka broker (KRaft, broker+controller in one JVM) run from Maven's jars.

Layout of `root`: `data/` (log.dirs), `server.properties`, `kafka.log` and `state.json`
(cluster id, ports and pid, so a restart keeps its data, its address and finds a running broker).
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from civicgrid_testkit.asyncbridge import run_sync
from civicgrid_testkit.kafka_config import (
    broker_settings,
    new_cluster_id,
    render_server_properties,
)
from civicgrid_testkit.kafka_install import ensure_kafka_libs
from civicgrid_testkit.names import validate_topic_name
from civicgrid_testkit.processes import (
    LOOPBACK,
    ServerStartError,
    describe_failure,
    find_free_port,
    last_lines,
    log_since,
    log_size,
    log_tail,
    port_is_free,
    process_command_line,
    process_is_alive,
    run_command,
    terminate_process,
)
from civicgrid_testkit.statefile import exclusive_lock, read_state, write_state

logger = logging.getLogger(__name__)

# Small heap, serial GC and the C1 compiler only: quick to start and light on a 2-core machine.
JVM_OPTIONS = (
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    "-Dorg.slf4j.simpleLogger.showDateTime=true",
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
)
_START_ATTEMPTS = 3
_STOP_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class KafkaInstance:
    """A running broker and how to reach it."""

    bootstrap_servers: str
    pid: int | None


async def wait_for_kafka(
    bootstrap_servers: str,
    within: float,
    *,
    is_alive: Callable[[], bool] | None = None,
    log_path: Path | None = None,
) -> None:
    """Poll with metadata requests until the broker lists itself; raise after `within` seconds."""
    deadline = time.monotonic() + within
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        if is_alive is not None and not is_alive():
            raise ServerStartError(
                f"Kafka exited while starting\n{log_tail(log_path) if log_path else ''}"
            )
        # aiokafka logs every refused connection as an ERROR: wait for the port quietly first.
        if not await _accepts_connections(bootstrap_servers):
            await asyncio.sleep(0.1)
            continue
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=3000)
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
            if cluster["brokers"]:
                return
        except KafkaError as error:
            last_error = error
        finally:
            await admin.close()
        await asyncio.sleep(0.2)
    raise ServerStartError(
        f"Kafka at {bootstrap_servers} did not answer metadata requests within {within:.0f}s: "
        f"{last_error!r}\n{log_tail(log_path) if log_path else ''}"
    )


async def _accepts_connections(bootstrap_servers: str) -> bool:
    host, _, port = bootstrap_servers.split(",")[0].strip().rpartition(":")
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host.strip("[]"), int(port)), 2.0
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def create_topics(
    bootstrap_servers: str,
    names: Iterable[str],
    partitions: int = 3,
    *,
    replication_factor: int = 1,
    within: float = 30.0,
) -> None:
    """Create the topics that do not exist yet and wait until every partition has a leader.

    Existing topics are left as they are (whatever their partition count), so it is safe to
    call on every start. Gives up after `within` seconds.
    """
    wanted = list(dict.fromkeys(validate_topic_name(name) for name in names))
    if not wanted:
        return
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=int(within * 1000)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if missing:
            response = await admin.create_topics(
                [NewTopic(name, partitions, replication_factor) for name in missing]
            )
            _raise_for_topic_errors(response.to_object())
            logger.info("created Kafka topics %s", ", ".join(missing))
        await _wait_for_leaders(admin, wanted, time.monotonic() + within)
    finally:
        await admin.close()


def _raise_for_topic_errors(response: dict[str, object]) -> None:
    results = response.get("topic_errors") or response.get("topics") or []
    for result in results:  # type: ignore[attr-defined]
        code = int(result["error_code"])
        # Another process may have created it since we listed topics: that is the goal anyway.
        if code and code != TopicAlreadyExistsError.errno:
            error_class = for_code(code)
            raise error_class(
                f"could not create topic {result['topic']!r}: {result.get('error_message')}"
            )


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], deadline: float) -> None:
    while True:
        topics = await admin.describe_topics(names)
        ready = {
            topic["topic"]
            for topic in topics
            if topic["error_code"] == 0
            and topic["partitions"]
            and all(partition["leader"] >= 0 for partition in topic["partitions"])
        }
        if ready.issuperset(names):
            return
        if time.monotonic() >= deadline:
            raise ServerStartError(f"topics without leaders: {sorted(set(names) - ready)}")
        await asyncio.sleep(0.1)


def _still_running(process: subprocess.Popen[bytes]) -> Callable[[], bool]:
    return lambda: process.poll() is None


class LocalKafka:
    """Start (or reuse) and stop a Kafka broker whose files live under `root`."""

    def __init__(self, root: Path, *, libs_dir: Path | None = None) -> None:
        self.root = root.resolve()
        self.data_dir = self.root / "data"
        self.properties_path = self.root / "server.properties"
        self.log_path = self.root / "kafka.log"
        self.state_path = self.root / "state.json"
        self._lock_path = self.root / ".civicgrid.lock"
        self._libs_dir = libs_dir
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> KafkaInstance:
        """Start the broker unless it already runs here, then wait for a metadata answer."""
        with exclusive_lock(self._lock_path):
            running = self._running_pid()
            if running is not None:
                logger.info("reusing Kafka already running in %s (pid %d)", self.root, running)
                instance = self.instance()
                run_sync(
                    wait_for_kafka(
                        instance.bootstrap_servers,
                        timeout,
                        is_alive=lambda: process_is_alive(running),
                        log_path=self.log_path,
                    )
                )
                return instance
            libs = self._libs_dir or ensure_kafka_libs()
            return self._start_new(libs, timeout)

    def stop(self) -> None:
        """SIGTERM the broker (a controlled shutdown) and wait until it has exited."""
        if not self.root.exists():
            return
        with exclusive_lock(self._lock_path):
            pid = self._running_pid()
            if pid is not None:
                terminate_process(pid, grace_seconds=_STOP_GRACE_SECONDS, description="Kafka")
                logger.info("Kafka in %s stopped", self.root)
            if self._process is not None:
                self._process.poll()  # our child: collect its exit status
                self._process = None
            state = read_state(self.state_path)
            if state.get("pid") is not None:
                write_state(self.state_path, {**state, "pid": None})

    def is_running(self) -> bool:
        return self._running_pid() is not None

    def instance(self) -> KafkaInstance:
        state = read_state(self.state_path)
        return KafkaInstance(
            bootstrap_servers=f"{LOOPBACK}:{state['broker_port']}", pid=self._running_pid()
        )

    def _running_pid(self) -> int | None:
        pid = read_state(self.state_path).get("pid")
        if not isinstance(pid, int) or not process_is_alive(pid):
            return None
        # The pid may have been reused by an unrelated process since the broker died.
        command_line = process_command_line(pid)
        if "kafka.Kafka" not in command_line or str(self.properties_path) not in command_line:
            return None
        return pid

    def _start_new(self, libs: Path, timeout: float) -> KafkaInstance:
        state = read_state(self.state_path)
        if "cluster_id" not in state:
            state = {"cluster_id": new_cluster_id()}
        for attempt in range(1, _START_ATTEMPTS + 1):
            state = self._with_free_ports(state)
            self._write_properties(state)
            if not (self.data_dir / "meta.properties").exists():
                self._format_storage(libs, str(state["cluster_id"]))
            log_offset = log_size(self.log_path)
            process = self._spawn(libs)
            write_state(self.state_path, {**state, "pid": process.pid})
            instance = KafkaInstance(f"{LOOPBACK}:{state['broker_port']}", process.pid)
            try:
                run_sync(
                    wait_for_kafka(
                        instance.bootstrap_servers,
                        timeout,
                        is_alive=_still_running(process),
                        log_path=self.log_path,
                    )
                )
            except ServerStartError as error:
                terminate_process(process.pid, grace_seconds=10.0, description="Kafka")
                process.poll()
                write_state(self.state_path, {**state, "pid": None})
                new_log = log_since(self.log_path, log_offset)
                # Another process may take a port between our check and the broker's bind.
                if "Address already in use" in new_log and attempt < _START_ATTEMPTS:
                    logger.warning("a Kafka port was taken while starting; retrying")
                    state = {"cluster_id": state["cluster_id"]}
                    continue
                summary = str(error).splitlines()[0]
                raise ServerStartError(
                    f"Kafka in {self.root} failed to start: {summary}\n"
                    f"--- {self.log_path} (this attempt) ---\n{last_lines(new_log)}"
                ) from error
            self._process = process
            logger.info("Kafka ready on %s (data in %s)", instance.bootstrap_servers, self.data_dir)
            return instance
        raise AssertionError("unreachable: the last attempt either returns or raises")

    def _with_free_ports(self, state: dict[str, object]) -> dict[str, object]:
        chosen = dict(state)
        for key in ("broker_port", "controller_port"):
            port = chosen.get(key)
            if not isinstance(port, int) or not port_is_free(port):
                if isinstance(port, int):
                    logger.warning("Kafka's recorded %s %d is taken; choosing another", key, port)
                chosen[key] = find_free_port()
        if chosen["broker_port"] == chosen["controller_port"]:
            chosen["controller_port"] = find_free_port()
        return chosen

    def _write_properties(self, state: dict[str, object]) -> None:
        settings = broker_settings(
            broker_port=int(str(state["broker_port"])),
            controller_port=int(str(state["controller_port"])),
            log_dir=str(self.data_dir),
        )
        self.root.mkdir(parents=True, exist_ok=True)
        self.properties_path.write_text(render_server_properties(settings), encoding="utf-8")

    def _format_storage(self, libs: Path, cluster_id: str) -> None:
        result = run_command(
            [
                "java",
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                f"{libs}/*",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(self.properties_path),
            ],
            cwd=self.root,
        )
        if result.returncode != 0:
            raise ServerStartError(f"formatting Kafka storage failed: {describe_failure(result)}")
        logger.info("formatted Kafka storage in %s (cluster %s)", self.data_dir, cluster_id)

    def _spawn(self, libs: Path) -> subprocess.Popen[bytes]:
        command = [
            "java",
            *JVM_OPTIONS,
            "-cp",
            f"{libs}/*",
            "kafka.Kafka",
            str(self.properties_path),
        ]
        with self.log_path.open("ab") as log:
            # A session of its own: the broker outlives the CLI that started it (`make run`)
            # and a Ctrl-C meant for pytest does not kill it before teardown stops it.
            return subprocess.Popen(
                command,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
