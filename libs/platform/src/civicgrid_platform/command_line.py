"""Every service's command line: `serve --components …`, `migrate`, and its own commands.

    civicgrid-<service> serve --components http,grpc,consumers,relay,timers
    civicgrid-<service> migrate [service options]
    civicgrid-<service> topics [--list]
    civicgrid-<service> <command> …   (e.g. grid's demo-data)

A service hands over its settings class, its migrations folder, a `build` function that turns
settings into its object graph (a ServiceGraph) and the topics it owns; this module does the rest
the same way for all.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import uvloop

from civicgrid_platform.logs import configure_logging
from civicgrid_platform.runner import Component
from civicgrid_platform.settings import ALL_COMPONENTS, PlatformSettings

if TYPE_CHECKING:
    from civicgrid_platform.events.topics import TopicSpec


class ServiceGraph(Protocol):
    """What `build(settings)` returns: a service's object graph."""

    async def start(self) -> None:
        """Work before any component runs (e.g. identity makes sure a signing key exists)."""

    def components(self, names: Sequence[str]) -> list[Component]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class Command:
    """A service's own subcommand. `run` gets the parsed arguments and the settings factory (a
    command that needs no settings, like generating demo data, does not call it)."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Callable[[], PlatformSettings]], None]


@dataclass(frozen=True)
class ServiceCommandLine:
    name: str  # identity, grid, tickets, ...
    settings: Callable[[], PlatformSettings]
    migrations: Path
    build: Callable[[Any], ServiceGraph]
    commands: Mapping[str, Command] = field(default_factory=dict)
    # Options of `migrate` and what they do after the schema is up to date.
    migrate_options: Callable[[argparse.ArgumentParser], None] | None = None
    after_migrate: Callable[[argparse.Namespace, Any], None] | None = None
    # The topics the service owns, from its settings: the very list its relay provisions at
    # start-up, so `topics` (a deployment's provisioning job) creates exactly what the code uses.
    topics: Callable[[Any], Sequence[TopicSpec]] | None = None

    def main(self, argv: Sequence[str] | None = None) -> None:
        args = self._parser().parse_args(sys.argv[1:] if argv is None else argv)
        if args.command in self.commands:
            self.commands[args.command].run(args, self.settings)
            return
        settings = self.settings()
        configure_logging(settings.service_name, settings.log_level)
        if args.command == "migrate":
            from civicgrid_platform.migrate import upgrade

            upgrade(self.migrations, settings.database_migrate_url or settings.database_url)
            if self.after_migrate is not None:
                self.after_migrate(args, settings)
            return
        if args.command == "topics":
            self.provision_topics(settings, list_only=args.list)
            return
        names = [n.strip() for n in args.components.split(",") if n.strip()]
        unknown = sorted(set(names) - set(ALL_COMPONENTS))
        if unknown:
            sys.exit(f"unknown components {unknown}; choose from {list(ALL_COMPONENTS)}")
        # uvloop: the event loop asyncpg and uvicorn are built for; at hundreds of requests a
        # second the standard loop's socket handling costs as much as the handlers.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            sys.exit(runner.run(self.serve(settings, names)))

    async def serve(self, settings: PlatformSettings, names: list[str]) -> int:
        from civicgrid_platform.runner import ProcessRunner
        from civicgrid_platform.telemetry import configure_telemetry

        configure_telemetry(
            settings.service_name,
            otlp_endpoint=settings.otlp_endpoint,
            instance_id=settings.instance_id,
        )
        graph = self.build(settings)
        try:
            await graph.start()
            # What start-up built (modules, schemas, metadata, pools) lives as long as the
            # process: frozen, it is left out of every later collection, which otherwise walks
            # it again at each full pass (measured: a fifth more intake, `make bench`).
            gc.collect()
            gc.freeze()
            runner = ProcessRunner(graph.components(names), drain_seconds=settings.drain_seconds)
            if "http" not in names and settings.ops_port:
                # No HTTP app to probe or scrape: serve its probes and /metrics on the ops port.
                from civicgrid_platform.ops import ops_component

                runner.components.append(
                    ops_component(runner, settings.http_host, settings.ops_port)
                )
            return await runner.run()
        finally:
            await graph.aclose()

    def provision_topics(self, settings: PlatformSettings, *, list_only: bool = False) -> None:
        """Create the service's topics and their dead-letter topics (existing ones are left as
        they are), or with ``list_only`` print them, one JSON object per line, without Kafka."""
        from civicgrid_platform.events.kafka_client import KafkaConnection
        from civicgrid_platform.events.topics import ensure_topics, with_dead_letters

        specs = list(self.topics(settings)) if self.topics is not None else []
        if list_only:
            for spec in with_dead_letters(specs):
                line = {
                    "name": spec.name,
                    "partitions": spec.partitions,
                    "retention_ms": spec.retention_ms,
                }
                sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()
            return
        kafka = KafkaConnection.from_settings(settings)
        asyncio.run(ensure_topics(kafka.bootstrap_servers, specs, security=kafka.security))

    def _parser(self) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog=f"civicgrid-{self.name}", description=__doc__)
        sub = parser.add_subparsers(dest="command", required=True)
        serve = sub.add_parser("serve", help="run the chosen components in this process")
        serve.add_argument("--components", default=",".join(ALL_COMPONENTS))
        migrate = sub.add_parser("migrate", help="bring the database schema up to date")
        if self.migrate_options is not None:
            self.migrate_options(migrate)
        if self.topics is not None:
            topics = sub.add_parser(
                "topics", help="create this service's Kafka topics and their .dlq topics"
            )
            topics.add_argument(
                "--list",
                action="store_true",
                help="print them (one JSON object per line: name, partitions, retention_ms) "
                "without contacting Kafka",
            )
        for name, command in self.commands.items():
            command.configure(sub.add_parser(name, help=command.help))
        return parser
