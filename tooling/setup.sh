#!/usr/bin/env bash
# Installs what `make run` and `make test` need and is missing; quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
have_pg || need_apt+=(postgresql)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${need_apt[*]} (install them, or run as root)" >&2
    exit 1
  fi
  echo "installing ${need_apt[*]} from Debian" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # Debian starts a cluster of its own on 5432; ours run from scratch dirs, so stop it.
  if [[ " ${need_apt[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
    service postgresql stop >/dev/null 2>&1 || true
  fi
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "installing uv from PyPI" >&2
  python3 -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
fi
uv sync --frozen --all-packages --quiet

gobin="$(go env GOPATH 2>/dev/null)/bin"
if command -v go >/dev/null 2>&1 && ! command -v buf >/dev/null 2>&1 && [ ! -x "$gobin/buf" ]; then
  echo "installing buf with go install" >&2
  go install github.com/bufbuild/buf/cmd/buf@v1.50.0
fi

# helm renders and lints charts/ (tests/charts); a pinned v3 release, built with go install.
install_helm() {
  command -v go >/dev/null 2>&1 || return 0
  command -v helm >/dev/null 2>&1 && return 0
  [ -x "$gobin/helm" ] && return 0
  echo "installing helm with go install" >&2
  go install helm.sh/helm/v3/cmd/helm@v3.21.4
}
install_helm
