"""The civicgrid-infra command line, on paths that start no server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicgrid_testkit.cli import EXIT_FAILED, EXIT_NOT_RUNNING, build_parser, main


@pytest.fixture(autouse=True)
def _no_external_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVICGRID_EXTERNAL_POSTGRES_DSN", raising=False)
    monkeypatch.delenv("CIVICGRID_EXTERNAL_KAFKA_BOOTSTRAP", raising=False)


def test_commands_default_to_the_make_run_directory() -> None:
    args = build_parser().parse_args(["up"])
    assert args.dir == Path(".run/infra")
    args = build_parser().parse_args(["provision", "tickets", "--dir", "/srv/infra"])
    assert (args.name, args.dir) == ("tickets", Path("/srv/infra"))


def test_status_of_a_directory_without_servers_says_so_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--dir", str(tmp_path)]) == EXIT_NOT_RUNNING
    status = json.loads(capsys.readouterr().out)
    assert status == {
        "postgres": {"backend": "local", "running": False},
        "kafka": {"backend": "local", "running": False},
    }


def test_status_reports_external_servers_named_by_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVICGRID_EXTERNAL_KAFKA_BOOTSTRAP", "kafka.internal:9092")
    main(["status", "--dir", str(tmp_path)])
    status = json.loads(capsys.readouterr().out)
    assert status["kafka"] == {"backend": "external", "bootstrap": "kafka.internal:9092"}


def test_provision_refuses_an_unsafe_name_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["provision", "Robert'); DROP", "--dir", str(tmp_path)]) == EXIT_FAILED
    assert "not a safe database name" in capsys.readouterr().err


def test_provision_without_running_servers_says_to_start_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["provision", "tickets", "--dir", str(tmp_path)]) == EXIT_FAILED
    assert "civicgrid-infra up" in capsys.readouterr().err


def test_down_on_a_directory_without_servers_is_harmless(tmp_path: Path) -> None:
    assert main(["down", "--dir", str(tmp_path / "never-started")]) == 0
    assert not (tmp_path / "never-started").exists()
