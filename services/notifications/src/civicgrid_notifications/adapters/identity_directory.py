"""The Directory port over identity's gRPC API, asked on one district's behalf at a time with
this service's own token (no user request is in hand when an event is handled)."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from uuid import UUID

from civicgrid.identity.v1 import identity_service_pb2 as pb
from civicgrid.identity.v1 import identity_service_pb2_grpc as pb_grpc
from civicgrid_notifications.adapters.tenant_calls import call_as
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.usecases.ports import Contactable, DeviceOwner, FamilyContact
from civicgrid_platform.auth import TenantTokens
from civicgrid_platform.grpc.client import create_channel

# Scopes the service client must hold (and TenantTokens must ask for): people:read to read
# people, people:contact for full numbers and the family; devices:resolve platform-wide.
DISTRICT_SCOPES = ("people:read", "people:contact")
PLATFORM_SCOPES = ("devices:resolve",)
BATCH = 200  # ids per BatchGetPeople
_CHANNEL = {
    pb.CHANNEL_SMS: Channel.SMS,
    pb.CHANNEL_VOICE: Channel.VOICE,
    pb.CHANNEL_APP: Channel.INAPP,
    pb.CHANNEL_EMAIL: Channel.EMAIL,
}
# Identity leaves a contact's id empty: ours is derived from what the contact is, so it stays
# the same while the contact does and changes when the person changes it.
_CONTACT_IDS = uuid.UUID("5d0f3c1e-6a43-4f57-9d0e-2b8f6c1a7e90")

HoldersKey = tuple[UUID, UUID, tuple[str, ...], bool]


class _RecentHolders:
    """Role holders per (district, unit, roles), for a few seconds: an alert or an escalation
    burst asks the same question many times. Bounded; the least recently used goes first."""

    def __init__(self, seconds: float, size: int, clock: Callable[[], float]) -> None:
        self._seconds = seconds
        self._size = size
        self._clock = clock
        self._entries: OrderedDict[HoldersKey, tuple[float, tuple[Contactable, ...]]] = (
            OrderedDict()
        )

    def get(self, key: HoldersKey) -> tuple[Contactable, ...] | None:
        found = self._entries.get(key)
        if found is None or self._clock() >= found[0]:
            self._entries.pop(key, None)
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, key: HoldersKey, holders: tuple[Contactable, ...]) -> None:
        if self._seconds <= 0:
            return
        self._entries[key] = (self._clock() + self._seconds, holders)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


def _contactable(person: pb.Person) -> Contactable:
    return Contactable(
        person_id=UUID(person.id),
        display_name=person.display_name,
        phone=person.phone,
        email=person.email,
        locale=person.locale,
    )


def _family(tenant_id: UUID, person_id: UUID, contact: pb.EmergencyContact) -> FamilyContact:
    return FamilyContact(
        id=UUID(contact.id)
        if contact.id
        else uuid.uuid5(
            _CONTACT_IDS, f"{tenant_id}/{person_id}/{contact.position}/{contact.phone}"
        ),
        position=contact.position,
        name=contact.name,
        relation=contact.relation,
        phone=contact.phone,
        # Unset: a phone number is what a contact surely has.
        preferred_channel=_CHANNEL.get(contact.preferred_channel, Channel.SMS),
    )


class IdentityDirectory:
    def __init__(
        self,
        target: str,
        tokens: TenantTokens,
        *,
        deadline_seconds: float = 3.0,
        holders_cache_seconds: float = 30.0,
        holders_cache_size: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Short deadline: an alert waits on these answers, and a retryable error hands the
        # event back to the consumer sooner than a hung call would.
        self._channel = create_channel(target, deadline_seconds=deadline_seconds)
        self._stub = pb_grpc.IdentityServiceStub(self._channel)
        self._tokens = tokens
        self._holders = _RecentHolders(holders_cache_seconds, holders_cache_size, clock)

    async def people(self, tenant_id: UUID, person_ids: Sequence[UUID]) -> dict[UUID, Contactable]:
        wanted = [str(p) for p in dict.fromkeys(person_ids)]
        found: dict[UUID, Contactable] = {}
        for start in range(0, len(wanted), BATCH):
            request = pb.BatchGetPeopleRequest(person_ids=wanted[start : start + BATCH])
            answer: pb.BatchGetPeopleResponse = await call_as(
                self._tokens, tenant_id, self._stub.BatchGetPeople, request, "identity people"
            )
            found.update((c.person_id, c) for c in map(_contactable, answer.people))
        return found

    async def role_holders(
        self, tenant_id: UUID, unit_id: UUID, roles: Sequence[str], *, include_ancestors: bool
    ) -> list[Contactable]:
        """Holders of any of the roles, nearest unit first within a role, roles in the order
        given; each person once (at the first place they appear)."""
        key = (tenant_id, unit_id, tuple(dict.fromkeys(roles)), include_ancestors)
        cached = self._holders.get(key)
        if cached is None:
            cached = await self._ask_holders(key)
            self._holders.put(key, cached)
        return list(cached)

    async def _ask_holders(self, key: HoldersKey) -> tuple[Contactable, ...]:
        tenant_id, unit_id, roles, include_ancestors = key
        holders: dict[UUID, Contactable] = {}
        for role in roles:
            request = pb.ListRoleHoldersRequest(
                unit_id=str(unit_id), role=role, include_ancestors=include_ancestors
            )
            answer: pb.ListRoleHoldersResponse = await call_as(
                self._tokens, tenant_id, self._stub.ListRoleHolders, request, "identity holders"
            )
            for holder in answer.holders:
                person = _contactable(holder.person)
                holders.setdefault(person.person_id, person)
        return tuple(holders.values())

    async def emergency_contacts(self, tenant_id: UUID, person_id: UUID) -> list[FamilyContact]:
        request = pb.GetEmergencyContactsRequest(person_id=str(person_id))
        answer: pb.GetEmergencyContactsResponse = await call_as(
            self._tokens, tenant_id, self._stub.GetEmergencyContacts, request, "identity contacts"
        )
        return [_family(tenant_id, person_id, c) for c in answer.contacts]

    async def resolve_device(
        self, device_id: str, signature: str, payload: bytes, *, with_family: bool = False
    ) -> DeviceOwner:
        """A press arrives without a district: asked with the platform-wide token. with_family:
        the person's family contacts in the same answer (one call fewer on a press)."""
        request = pb.ResolveDeviceRequest(
            device_id=device_id,
            signature=signature,
            payload=payload,
            include_emergency_contacts=with_family,
        )
        answer: pb.ResolveDeviceResponse = await call_as(
            self._tokens, None, self._stub.ResolveDevice, request, "identity device"
        )
        tenant_id, person_id = UUID(answer.tenant_id), UUID(answer.person_id)
        family = (
            tuple(_family(tenant_id, person_id, c) for c in answer.emergency_contacts)
            if with_family
            else None
        )
        return DeviceOwner(tenant_id=tenant_id, person_id=person_id, family=family)

    async def aclose(self) -> None:
        await self._channel.close()
