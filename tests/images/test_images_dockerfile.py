"""docker/Dockerfile has the properties the Kubernetes charts and the ops docs rely on.

There is no Docker engine here: the build itself is proven by tooling/image_recipe.sh (see
test_images_recipe.py); these tests read the Dockerfile and hold it to its promises."""

from __future__ import annotations

import re

from tests.images.images_support import (
    RECIPE,
    ROOT,
    SERVICES,
    distribution,
    dockerfile,
    exec_form,
    uv_sync_commands,
    workspace_members,
)

BUILD_TOOLS = ("gcc", "g++", "make", "build-essential", "apt-get", "apk ", "uv ", "pip install")


def test_images_dockerfile_is_multi_stage_with_a_slim_python_runtime() -> None:
    args, stages = dockerfile()
    assert [s.name for s in stages] == ["uv", "builder", "runtime"]
    assert args["PYTHON_IMAGE"] == "python:3.11-slim"
    builder, runtime = stages[1], stages[2]
    assert builder.base == runtime.base == "python:3.11-slim"
    # The final stage takes the environment from the builder and nothing else.
    copies = runtime.all("COPY")
    assert copies == ["--from=builder /app/.venv /app/.venv"]


def test_images_dockerfile_runtime_has_no_build_tools_and_no_uv() -> None:
    _, stages = dockerfile()
    runtime = stages[-1]
    commands = " ".join(runtime.all("RUN"))
    for tool in BUILD_TOOLS:
        assert tool not in commands, f"the final stage runs {tool!r}"
    # It removes the base image's own packaging tools instead.
    assert "pip uninstall --yes --quiet pip setuptools wheel" in commands


def test_images_dockerfile_runs_as_a_numeric_non_root_user() -> None:
    _, stages = dockerfile()
    runtime = stages[-1]
    [user] = runtime.all("USER")
    uid, _, gid = user.partition(":")
    assert (uid, gid) == ("10001", "10001")
    assert "useradd --system --uid 10001 --gid 10001" in " ".join(runtime.all("RUN"))
    # USER comes after every RUN: nothing in the image is left to root at run time.
    keywords = [i.keyword for i in runtime.instructions]
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")


def test_images_dockerfile_is_read_only_root_friendly() -> None:
    _, stages = dockerfile()
    builder, runtime = stages[1], stages[2]
    env = runtime.env()
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["HOME"] == "/tmp"  # noqa: S108 (the one writable path)
    # Bytecode is compiled in the builder, where writing is allowed.
    assert any("--compile-bytecode" in command for command in builder.all("RUN"))
    assert env["PATH"].startswith("/app/.venv/bin:")


def test_images_dockerfile_entrypoint_runs_the_service_module_and_serves_by_default() -> None:
    _, stages = dockerfile()
    runtime = stages[-1]
    [entrypoint] = runtime.all("ENTRYPOINT")
    [cmd] = runtime.all("CMD")
    assert exec_form(entrypoint) == [
        "/bin/sh",
        "-c",
        'exec python -m "$CIVICGRID_SERVICE_MODULE" "$@"',
        "civicgrid",
    ]
    assert runtime.env()["CIVICGRID_SERVICE_MODULE"] == "civicgrid_${SERVICE}"
    assert exec_form(cmd) == ["serve"]
    env = runtime.env()
    every_interface = "0.0.0.0"  # noqa: S104 (a container listens on its own interfaces)
    assert env["CIVICGRID_HTTP_HOST"] == env["CIVICGRID_GRPC_HOST"] == every_interface
    assert runtime.all("EXPOSE") == [f"{env['CIVICGRID_HTTP_PORT']} {env['CIVICGRID_GRPC_PORT']}"]


def test_images_dockerfile_carries_oci_labels() -> None:
    _, stages = dockerfile()
    labels = " ".join(stages[-1].all("LABEL"))
    for key in ("title", "description", "version", "revision", "created", "source", "vendor"):
        assert f"org.opencontainers.image.{key}=" in labels


def test_images_dockerfile_installs_only_the_service_package_from_the_lock() -> None:
    _, stages = dockerfile()
    builder = stages[1]
    syncs = [c for c in builder.all("RUN") if "uv sync" in c]
    assert len(syncs) == 2
    for command in syncs:
        for flag in ("--frozen", "--no-dev", '--package "civicgrid-${SERVICE}"'):
            assert flag in command
    assert "--no-install-workspace" in syncs[0] and "--no-build" in syncs[0]
    assert "--no-editable" in syncs[1]
    # The builder refuses to build without SERVICE, and the package names follow it.
    assert any('test -n "${SERVICE}"' in c for c in builder.all("RUN"))
    for service in SERVICES:
        assert distribution(f"services/{service}") == f"civicgrid-{service}"


def test_images_dockerfile_copies_every_workspace_member_manifest_before_the_first_sync() -> None:
    """uv reads the whole workspace even to install one package: a member added to the root
    pyproject.toml without a COPY here would break every image build."""
    _, stages = dockerfile()
    builder = stages[1]
    before_sync = []
    for instruction in builder.instructions:
        if instruction.keyword == "RUN" and "uv sync" in instruction.arguments:
            break
        if instruction.keyword == "COPY" and not instruction.arguments.startswith("--from"):
            before_sync.append(instruction.arguments)
    assert before_sync[0] == "pyproject.toml uv.lock ./"
    copied = {c.split()[0].removesuffix("/pyproject.toml") for c in before_sync[1:]}
    assert copied == set(workspace_members())


def test_images_dockerfile_and_recipe_run_the_same_uv_commands() -> None:
    dockerfile_commands = uv_sync_commands((ROOT / "docker" / "Dockerfile").read_text())
    recipe_commands = [c.removesuffix(" --quiet") for c in uv_sync_commands(RECIPE.read_text())]
    assert len(dockerfile_commands) == 2
    assert recipe_commands == dockerfile_commands
    # ... with the entry point the image has.
    assert 'exec python -m "$CIVICGRID_SERVICE_MODULE" "$@"\' civicgrid' in RECIPE.read_text()


def test_images_dockerfile_uv_is_the_version_the_machine_setup_pins() -> None:
    args, _ = dockerfile()
    pinned = re.search(r'"uv==([0-9.]+)"', (ROOT / "tooling" / "setup.sh").read_text())
    assert pinned is not None
    assert args["UV_IMAGE"] == f"ghcr.io/astral-sh/uv:{pinned.group(1)}"


def test_images_dockerignore_keeps_tests_caches_and_local_state_out() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for pattern in (".run/", ".cache/", "**/.venv", "**/__pycache__", "libs/*/tests/"):
        assert pattern in ignored
    assert "services/*/tests/" in ignored
    # Nothing the Dockerfile copies is ignored.
    for needed in ("uv.lock", "pyproject.toml", "libs/", "services/"):
        assert needed not in ignored
