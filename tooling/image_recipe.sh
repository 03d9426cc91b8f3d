#!/usr/bin/env bash
# The service image's install recipe, run without Docker: for each service, the same two
# `uv sync` commands docker/Dockerfile runs, in a scratch copy of the same build context, then
# the checks an image must pass:
#   - `python -m civicgrid_<svc> --help` through the image's ENTRYPOINT, and `topics --list`;
#   - the service's own package and the shared libraries are installed as files of the
#     environment (not editable links back to the sources), with their bytecode compiled;
#   - no other service, no test kit, no dev stack, no pytest is installed;
#   - running it writes nothing into the environment (read-only root filesystem).
#
#   tooling/image_recipe.sh [service …]        (default: every service)
#   IMAGE_RECIPE_DIR=/some/dir keeps the scratch directory (default: a temporary one, removed)
#
# Uses the machine's uv (tooling/setup.sh pins the version the Dockerfile copies) and its cache.
# tests/images/test_images_recipe.py runs this and checks the commands match the Dockerfile's.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALL_SERVICES=(identity grid tickets volunteers notifications)
SERVICES=("$@")
[ "${#SERVICES[@]}" -gt 0 ] || SERVICES=("${ALL_SERVICES[@]}")

# The image's interpreter is python:3.11-slim's; here, the machine's 3.11.
PYTHON_BIN="$(command -v python3.11 || true)"
[ -n "$PYTHON_BIN" ] || { echo "image_recipe: python3.11 not found" >&2; exit 1; }

if [ -n "${IMAGE_RECIPE_DIR:-}" ]; then
  WORK="$IMAGE_RECIPE_DIR"
  mkdir -p "$WORK"
else
  WORK="$(mktemp -d -t civicgrid-image-recipe.XXXXXX)"
  trap 'rm -rf "$WORK"' EXIT
fi

# As the builder stage's ENV, but for the interpreter (the machine's 3.11) and the link mode:
# the Dockerfile copies files out of a cache mount; here, hard links into uv's cache give the
# same files without copying 200 MiB per service.
export UV_PYTHON="$PYTHON_BIN" UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=hardlink UV_NO_PROGRESS=1
unset VIRTUAL_ENV PYTHONPATH

# The build context, as .dockerignore leaves it: no tests, no caches.
copy_tree() {  # copy_tree <path relative to ROOT> <destination context>
  tar -C "$ROOT" -cf - \
    --exclude=tests --exclude=__pycache__ --exclude='*.pyc' --exclude=.pytest_cache \
    --exclude=.mypy_cache --exclude=.ruff_cache "$1" | tar -C "$2" -xf -
}

MEMBERS=(libs/platform libs/protos libs/testkit libs/devstack
         services/identity services/grid services/tickets services/volunteers services/notifications)

fail() { echo "image_recipe: $SERVICE: $*" >&2; exit 1; }

for SERVICE in "${SERVICES[@]}"; do
  started=$SECONDS
  src="$WORK/$SERVICE/src"        # the builder's WORKDIR /src
  venv="$WORK/$SERVICE/app/.venv" # the builder's UV_PROJECT_ENVIRONMENT=/app/.venv
  rm -rf "$WORK/$SERVICE"
  mkdir -p "$src"
  export UV_PROJECT_ENVIRONMENT="$venv"

  # Step 1 (Dockerfile): the lock and every member's pyproject.toml, third-party packages only.
  cp "$ROOT/pyproject.toml" "$ROOT/uv.lock" "$src/"
  for member in "${MEMBERS[@]}"; do
    mkdir -p "$src/$member"
    cp "$ROOT/$member/pyproject.toml" "$src/$member/"
  done
  (cd "$src" && uv sync --frozen --no-dev --no-install-workspace --no-build --package "civicgrid-${SERVICE}" --quiet)

  # Step 2 (Dockerfile): libs/ and this service's sources, installed as wheels.
  copy_tree libs "$src"
  copy_tree "services/$SERVICE" "$src"
  (cd "$src" && uv sync --frozen --no-dev --no-editable --compile-bytecode --package "civicgrid-${SERVICE}" --quiet)

  # The final stage copies only the environment: the sources must not be needed any more.
  rm -rf "$src"
  site="$venv/lib/python3.11/site-packages"
  [ -f "$site/civicgrid_${SERVICE}/__pycache__/__init__.cpython-311.pyc" ] \
    || fail "no compiled bytecode for civicgrid_${SERVICE}"

  run_dir="$WORK/$SERVICE/run"
  mkdir -p "$run_dir"
  marker="$WORK/$SERVICE/marker"
  touch "$marker"
  image_env=(env -i "PATH=$venv/bin:/usr/bin:/bin" HOME="$run_dir" PYTHONDONTWRITEBYTECODE=1
             "CIVICGRID_SERVICE_MODULE=civicgrid_${SERVICE}" CIVICGRID_KAFKA_BOOTSTRAP=192.0.2.1:9092)
  # The image's ENTRYPOINT, verbatim.
  entrypoint=(/bin/sh -c 'exec python -m "$CIVICGRID_SERVICE_MODULE" "$@"' civicgrid)

  (cd "$run_dir" && "${image_env[@]}" "${entrypoint[@]}" --help) >"$WORK/$SERVICE/help.txt" \
    || fail "--help failed: $(cat "$WORK/$SERVICE/help.txt")"
  grep -q "{serve,migrate,topics" "$WORK/$SERVICE/help.txt" || fail "unexpected --help output"
  (cd "$run_dir" && "${image_env[@]}" "${entrypoint[@]}" topics --list) >"$WORK/$SERVICE/topics.txt" \
    || fail "topics --list failed"
  grep -q "\"civicgrid.${SERVICE}.v1.dlq\"" "$WORK/$SERVICE/topics.txt" || fail "topics --list lacks the DLQ"

  (cd "$run_dir" && "${image_env[@]}" python - "$SERVICE" "$venv" <<'PY') || fail "package check failed"
import importlib.util
import sys
from pathlib import Path

service, venv = sys.argv[1], Path(sys.argv[2]).resolve()
others = {"identity", "grid", "tickets", "volunteers", "notifications"} - {service}
present = [f"civicgrid_{service}", "civicgrid_platform", "civicgrid"]
absent = [f"civicgrid_{o}" for o in sorted(others)]
absent += ["civicgrid_testkit", "civicgrid_devstack", "pytest", "testcontainers", "schemathesis"]
problems = []
for name in present:
    spec = importlib.util.find_spec(name)
    origin = Path(next(iter(spec.submodule_search_locations or [spec.origin]))) if spec else None
    if origin is None or not origin.resolve().is_relative_to(venv):
        problems.append(f"{name} is not installed in the environment (found at {origin})")
problems += [f"{name} is installed" for name in absent if importlib.util.find_spec(name)]
editable = [p.name for p in (venv / "lib/python3.11/site-packages").glob("*.pth")
            if "/src" in p.read_text()]
problems += [f"editable link {name}" for name in editable]
if problems:
    sys.exit("\n".join(problems))
PY

  written="$(find "$venv" -newer "$marker" | head -5)"
  [ -z "$written" ] || fail "running wrote into the environment: $written"
  packages="$(find "$site" -maxdepth 1 -name '*.dist-info' | wc -l)"
  size="$(du -sm "$venv" | cut -f1)"
  echo "ok $SERVICE: $packages packages, ${size} MiB, $((SECONDS - started)) s"
done
