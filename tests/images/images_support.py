"""Reading docker/Dockerfile, docker/compose.yaml and the workspace for the image tests."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
COMPOSE = ROOT / "docker" / "compose.yaml"
RECIPE = ROOT / "tooling" / "image_recipe.sh"
SERVICES = ("identity", "grid", "tickets", "volunteers", "notifications")


@dataclass
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY, ...
    arguments: str  # continuation lines joined, comments dropped


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]

    def env(self) -> dict[str, str]:
        """ENV key=value pairs (quotes removed), later ones winning."""
        values: dict[str, str] = {}
        for arguments in self.all("ENV"):
            for key, value in re.findall(r'(\w+)=("[^"]*"|\S+)', arguments):
                values[key] = value.strip('"')
        return values


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined (no heredocs are used)."""
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    parsed = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        parsed.append(Instruction(keyword.upper(), " ".join(arguments.split())))
    return parsed


def stages(text: str) -> tuple[dict[str, str], list[Stage]]:
    """The global ARG defaults and the build stages in order."""
    args: dict[str, str] = {}
    found: list[Stage] = []
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            words = instruction.arguments.split()
            base = words[0]
            for name, value in args.items():
                base = base.replace(f"${{{name}}}", value)
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else str(len(found))
            found.append(Stage(name, base))
        elif not found and instruction.keyword == "ARG":
            name, _, default = instruction.arguments.partition("=")
            args[name] = default
        elif found:
            found[-1].instructions.append(instruction)
    return args, found


def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    return stages(DOCKERFILE.read_text())


def uv_sync_commands(text: str) -> list[str]:
    """Every `uv sync …` command, whitespace normalised, up to the end of its line or `)`."""
    return [" ".join(m.split()) for m in re.findall(r"(uv sync [^\n)]*)", text)]


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list)
    return [str(v) for v in value]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def workspace_members() -> list[str]:
    """Each workspace member's directory, relative to the root (the root's members globs)."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    members: list[str] = []
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        members += sorted(
            str(p.parent.relative_to(ROOT)) for p in ROOT.glob(f"{pattern}/pyproject.toml")
        )
    return members


def distribution(member: str) -> str:
    return str(tomllib.loads((ROOT / member / "pyproject.toml").read_text())["project"]["name"])
