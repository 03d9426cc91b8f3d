from civicgrid_platform.migrate import run_env
from civicgrid_tickets.db.tables import metadata

run_env(metadata)
