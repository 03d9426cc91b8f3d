"""The ports notifications' use cases talk through; bootstrap plugs in the adapters (SMTP, HTTP
providers, identity and volunteers over gRPC), unit tests plug in fakes of these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from civicgrid_notifications.domain.channels import Channel

# sent: accepted by the provider; delivered: the provider confirmed arrival; failed: refused for
# good (a bad number); error: worth another try later (timeouts, 5xx, 429).
TryOutcome = Literal["sent", "delivered", "failed", "error"]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message ready to leave on one channel."""

    delivery_id: UUID
    tenant_id: UUID
    channel: Channel
    address: str
    subject: str
    body: str
    locale: str
    urgent: bool
    # Set on alert messages: the provider's callbacks (SMS reply, key press) carry it back.
    alert_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class ProviderTry:
    provider: str
    outcome: TryOutcome
    started_at: datetime
    finished_at: datetime
    status_code: int | None = None
    detail: str = ""
    provider_ref: str | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """Every provider tried for one message, in order (fallback tries the next on failure)."""

    tries: tuple[ProviderTry, ...]

    @property
    def final(self) -> ProviderTry:
        return self.tries[-1]

    @property
    def outcome(self) -> TryOutcome:
        """What the message became: taken if any provider took it; worth a retry if any
        provider failed for a passing reason (a refusal elsewhere does not make it final)."""
        taken = [t.outcome for t in self.tries if t.outcome in ("sent", "delivered")]
        if taken:
            return taken[-1]
        return "error" if any(t.outcome == "error" for t in self.tries) else "failed"


class Sender(Protocol):
    """Sends on one channel (email, sms, voice); never raises for a provider's failure."""

    async def send(self, message: Outgoing) -> SendResult: ...


@dataclass(frozen=True, slots=True)
class Contactable:
    """A person as notifications reaches them."""

    person_id: UUID
    display_name: str
    phone: str = ""
    email: str = ""
    locale: str = ""


@dataclass(frozen=True, slots=True)
class FamilyContact:
    id: UUID
    position: int
    name: str
    relation: str
    phone: str
    preferred_channel: Channel


@dataclass(frozen=True, slots=True)
class DeviceOwner:
    tenant_id: UUID
    person_id: UUID
    # The person's family contacts when they were asked for with the device (a press: step 0
    # needs them at once), else None.
    family: tuple[FamilyContact, ...] | None = None


class Directory(Protocol):
    """Identity, asked on a district's behalf."""

    async def people(self, tenant_id: UUID, person_ids: Sequence[UUID]) -> dict[UUID, Contactable]:
        """Those of person_ids that exist, with unmasked phone and email."""
        ...

    async def role_holders(
        self, tenant_id: UUID, unit_id: UUID, roles: Sequence[str], *, include_ancestors: bool
    ) -> list[Contactable]: ...

    async def emergency_contacts(self, tenant_id: UUID, person_id: UUID) -> list[FamilyContact]: ...

    async def resolve_device(
        self, device_id: str, signature: str, payload: bytes, *, with_family: bool = False
    ) -> DeviceOwner:
        """The device's district and person; raises NotAuthenticated / NotFound when refused."""
        ...


@dataclass(frozen=True, slots=True)
class NearbyVolunteer:
    person_id: UUID
    display_name: str
    distance_m: float


class VolunteerFinder(Protocol):
    """The volunteers service: who is close and free now."""

    async def nearest_available(
        self, tenant_id: UUID, lat: float, lon: float, limit: int
    ) -> list[NearbyVolunteer]: ...
