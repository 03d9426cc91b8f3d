from civicgrid_platform.migrate import run_env
from civicgrid_volunteers.db.tables import metadata

run_env(metadata)
