"""The chain of responsibility: grid → community → street → district → city, and who answers
at each level ("small matters stay inside the grid, big matters inside the community")."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

LEVELS = ("grid", "community", "street", "district", "city")

# Identity's roles that own a ticket at each level (bound at that level's unit; city-wide
# officers hold a tenant-wide binding).
OWNER_ROLES: Mapping[str, tuple[str, ...]] = {
    "grid": ("grid_leader", "info_officer"),
    "community": ("community_staff",),
    "street": ("street_officer",),
    "district": ("district_officer",),
    "city": ("city_officer",),
}
DEPARTMENT_ROLE = "department_agent"


def next_level(level: str) -> str | None:
    """The level above, or None at the top (the city)."""
    position = LEVELS.index(level)
    return LEVELS[position + 1] if position + 1 < len(LEVELS) else None


def unit_at_level(level: str, chain: Mapping[str, UUID]) -> UUID | None:
    """The unit that answers at `level` for a ticket whose grid's chain (kind -> unit id) is
    given; the city level is tenant-wide (None)."""
    return None if level == "city" else chain.get(level)


def starting_level(chain: Mapping[str, UUID]) -> str:
    """The lowest level a ticket can start at: its grid, or the nearest unit known above."""
    for level in LEVELS[:-1]:
        if level in chain:
            return level
    return "city"


def higher_level(a: str, b: str) -> str:
    return a if LEVELS.index(a) >= LEVELS.index(b) else b
