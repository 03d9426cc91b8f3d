from civicgrid_notifications.db.tables import metadata
from civicgrid_platform.migrate import run_env

run_env(metadata)
