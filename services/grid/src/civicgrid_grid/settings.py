"""Grid's settings: the platform base plus the resolution defaults."""

from __future__ import annotations

from pydantic import Field

from civicgrid_platform.settings import PlatformSettings


class GridSettings(PlatformSettings):
    service_name: str = "grid"
    http_port: int = Field(default=8002, ge=0, le=65535)
    grpc_port: int = Field(default=50062, ge=0, le=65535)
    # A whole district's GeoJSON (100k grids) is far larger than an ordinary request.
    max_import_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    boundary_warning_m: float = Field(default=30.0, gt=0, le=1000)
