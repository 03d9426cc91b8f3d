"""Real PostgreSQL and Kafka for CivicGrid's tests and local platform.

See README.md: the pytest fixtures `postgres` and `kafka` come from `civicgrid_testkit.plugin`,
the `civicgrid-infra` CLI from `civicgrid_testkit.cli`.
"""

from civicgrid_testkit.names import InvalidNameError, unique_name
from civicgrid_testkit.provisioning import ServiceDatabase

__all__ = ["InvalidNameError", "ServiceDatabase", "unique_name"]
