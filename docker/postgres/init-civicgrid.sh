#!/usr/bin/env bash
# PostgreSQL's first start (docker-entrypoint-initdb.d): one database per service, each with an
# owner role that migrations use and a runtime role the service uses, as
# civicgrid_testkit.provisioning does for `make run` and the tests:
#   civicgrid_<svc>        the database, owned by civicgrid_<svc>_owner
#   civicgrid_<svc>_owner  runs `migrate`: owns the database and every table in it
#   civicgrid_<svc>_app    the running service: DML only, not the owner, NOBYPASSRLS, so
#                          FORCE ROW LEVEL SECURITY refuses it any row of another tenant
# Other services' roles cannot even connect (CONNECT is revoked from PUBLIC).
#
# The entrypoint runs or sources this file, so it sets no shell options and does not exit.
# CIVICGRID_DB_PASSWORD: the password of every role here (a laptop; production provisions
# its databases with its own tooling and one secret per role).
civicgrid_services="${CIVICGRID_SERVICES:-identity grid tickets volunteers notifications}"
civicgrid_password="${CIVICGRID_DB_PASSWORD:?set CIVICGRID_DB_PASSWORD}"

for civicgrid_service in $civicgrid_services; do
  psql --no-psqlrc -v ON_ERROR_STOP=1 \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v db="civicgrid_${civicgrid_service}" \
    -v owner="civicgrid_${civicgrid_service}_owner" \
    -v app="civicgrid_${civicgrid_service}_app" \
    -v password="$civicgrid_password" <<'SQL' || return 1 2>/dev/null || exit 1
CREATE ROLE :"owner" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'password';
CREATE ROLE :"app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
-- TEMPORARY: bulk writes under row-level security stage rows in a transaction-local table.
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
\connect :"db"
GRANT USAGE ON SCHEMA public TO :"app";
-- Tables and sequences the owner's migrations create become usable by the runtime role.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"app";
SQL
done
