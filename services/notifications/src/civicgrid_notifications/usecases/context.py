"""What every notifications use case is given: the ports built by bootstrap, and who may do what."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.domain.retention import RetentionPolicy
from civicgrid_notifications.usecases.ports import Directory, Sender, VolunteerFinder
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.errors import Forbidden
from civicgrid_platform.sealing import Sealer

# Identity's roles of people who work cases and look after residents.
STAFF_ROLES = (
    "grid_leader",
    "info_officer",
    "community_staff",
    "street_officer",
    "district_officer",
    "city_officer",
)
ADMIN_ROLES = ("tenant_admin", "platform_admin")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    max_attempts: int = 6
    retry_base_seconds: float = 5.0
    retry_max_seconds: float = 1800.0


@dataclass(frozen=True, slots=True)
class NotificationsContext:
    uow: UnitOfWorkFactory
    # The channels that leave the building (email, sms, voice); in-app is stored, not sent.
    senders: Mapping[Channel, Sender] = field(default_factory=dict)
    directory: Directory | None = None
    volunteers: VolunteerFinder | None = None
    delivery: DeliveryPolicy = DeliveryPolicy()
    clock: Callable[[], datetime] = utc_now
    default_timezone: str = "Asia/Shanghai"
    default_locale: str = "zh-CN"
    # Seals webhook secrets at rest (usecases.webhook_secrets); None: they are refused.
    webhook_sealer: Sealer | None = None
    # How long finished work is kept (usecases.retention).
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)


def person_of(principal: Principal) -> UUID | None:
    """The person a token speaks for; None for an integrator client."""
    return principal.person_uuid


def is_staff(principal: Principal) -> bool:
    return principal.has_role(*STAFF_ROLES, *ADMIN_ROLES)


def require_staff(principal: Principal, doing: str) -> None:
    if not is_staff(principal):
        raise Forbidden(f"only community staff {doing}")


def require_admin(principal: Principal, doing: str) -> None:
    if not principal.has_role(*ADMIN_ROLES):
        raise Forbidden(f"only a tenant admin {doing}")
