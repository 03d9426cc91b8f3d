# CivicGrid — the two commands first: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= uv
PY := $(UV) run --frozen --no-sync python
export UV_LINK_MODE ?= copy

.PHONY: help setup run test check lint protos protos-check infra-up infra-down bench demo-data clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

setup: ## install what is missing (uv, Python deps, PostgreSQL, Java/Maven, buf)
	@bash tooling/setup.sh

run: setup ## start PostgreSQL, Kafka and every service; seed a demo district; Ctrl-C stops all
	@$(PY) -m civicgrid_devstack run

test: setup check ## lint, contract checks and the whole suite against real servers
	@bash tooling/run-tests.sh

check: lint protos-check ## static checks CI runs before the tests

lint: ## ruff, mypy, import-linter contracts, buf lint
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy libs/platform/src libs/testkit/src libs/devstack/src services/*/src
	$(UV) run --frozen lint-imports
	PATH="$$PATH:$$(go env GOPATH 2>/dev/null)/bin" buf lint protos

protos: ## regenerate libs/protos from protos/
	$(PY) tooling/gen_protos.py

protos-check: ## fail when libs/protos is stale
	$(PY) tooling/gen_protos.py --check

infra-up: setup ## start only PostgreSQL and Kafka (.run/infra)
	@$(PY) -m civicgrid_testkit up --dir .run/infra

infra-down: ## stop PostgreSQL and Kafka
	@$(PY) -m civicgrid_testkit down --dir .run/infra

bench: setup ## benchmarks against the real servers; prints a table
	@command -v ghz >/dev/null || [ -x "$$(go env GOPATH)/bin/ghz" ] || \
		{ echo "installing ghz (gRPC load generator) with go install" >&2; \
		  go install github.com/bojand/ghz/cmd/ghz@v0.121.0; }
	@PATH="$$PATH:$$(go env GOPATH)/bin" $(PY) -m civicgrid_devstack.bench

GRIDS ?= 2000
demo-data: setup ## write a synthetic district (GRIDS=2000) and its departments to .run/demo-district.json
	@mkdir -p .run
	@$(PY) -m civicgrid_grid demo-data --grids $(GRIDS) --out .run/demo-district.json
	@echo "wrote .run/demo-district.json ($(GRIDS) grids): POST its .district to /api/grid/v1/districts/import"

clean: ## remove local data (.run) — keeps the Kafka jar cache
	rm -rf .run
