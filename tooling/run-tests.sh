#!/usr/bin/env bash
# The whole suite against real servers. pytest's "no tests collected" (exit 5) is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
uv run --frozen --no-sync pytest "$@"
rc=$?
if [ "$rc" = 5 ]; then
  echo "no test ran: that is a failure" >&2
  exit 1
fi
exit "$rc"
