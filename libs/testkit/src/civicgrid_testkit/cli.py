"""`civicgrid-infra up|down|status|provision`: the servers behind `make run` / `make infra-up`.

Progress goes to stderr as log lines; the result is one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from civicgrid_testkit.infra import (
    InfraNotRunningError,
    all_running,
    infra_down,
    infra_provision,
    infra_status,
    infra_up,
)
from civicgrid_testkit.names import InvalidNameError
from civicgrid_testkit.processes import ServerStartError, ServerStopError
from civicgrid_testkit.provisioning import ProvisioningError

DEFAULT_DIR = Path(".run/infra")
EXIT_NOT_RUNNING = 3  # as `pg_ctl status` reports a stopped server
EXIT_FAILED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="civicgrid-infra",
        description="Start, stop and inspect the PostgreSQL and Kafka that `make run` uses.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in [
        ("up", "start (or reuse) both servers, wait until ready, write <dir>/state.json"),
        ("down", "stop both servers cleanly; their data stays in <dir>"),
        ("status", "report whether each server runs (exit 3 if one does not)"),
    ]:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="server directory")
    provision = commands.add_parser(
        "provision", help="create a service database with <name>_owner and <name>_app roles"
    )
    provision.add_argument("name", help="database name: lowercase letters, digits, '_'")
    provision.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="server directory")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    try:
        return _run(args)
    except (
        ServerStartError,
        ServerStopError,
        InfraNotRunningError,
        InvalidNameError,
        ProvisioningError,
    ) as error:
        print(f"civicgrid-infra {args.command}: {error}", file=sys.stderr)
        return EXIT_FAILED


def _run(args: argparse.Namespace) -> int:
    if args.command == "up":
        _print_json(infra_up(args.dir))
    elif args.command == "down":
        infra_down(args.dir)
        _print_json({"stopped": str(args.dir.resolve())})
    elif args.command == "status":
        status = infra_status(args.dir)
        _print_json(status)
        return 0 if all_running(status) else EXIT_NOT_RUNNING
    elif args.command == "provision":
        _print_json(infra_provision(args.dir, args.name).to_json())
    return 0


def _print_json(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2, sort_keys=True))
