"""Tickets' settings: the platform base plus intake and routing defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from civicgrid_platform.settings import PlatformSettings


class TicketsSettings(PlatformSettings):
    service_name: str = "tickets"
    http_port: int = Field(default=8003, ge=0, le=65535)
    grpc_port: int = Field(default=50063, ge=0, le=65535)
    # A point this close to another grid's edge carries a boundary warning on the ticket.
    boundary_warning_m: float = Field(default=30.0, gt=0, le=1000)
    # Duplicate suggestion at intake: same category, this close, this recent.
    duplicate_radius_m: float = Field(default=100.0, gt=0, le=5000)
    duplicate_window_hours: int = Field(default=72, ge=1, le=24 * 90)
    # The grid registry's gRPC address, asked where a report lies while tickets' copy of the
    # district's map is still empty ("" asks no one: such reports wait at city level).
    grid_grpc_target: str = ""
    # Where Open311 api_keys (integrator client credentials) are exchanged for tokens.
    identity_url: str = "http://127.0.0.1:8101"
    # Photos: a directory (a persistent volume in Kubernetes).
    blob_dir: Path = Path("blobs")
    # How long a replica trusts its cached "current version" of a district's SLA policy,
    # calendar and formula: a version published through another replica takes effect within it.
    rules_refresh_seconds: float = Field(default=5.0, ge=0, le=300)
