"""Identity as notifications meets it, over the real wire: IdentityService on a gRPC server on
127.0.0.1 (tokens checked by the platform's interceptor) and the client-credentials token
endpoint on a local HTTP server. The people, role holders, contacts and devices are what the
test puts here; the real identity service is exercised by the e2e suite."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.parse
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from civicgrid.identity.v1 import identity_service_pb2 as pb
from civicgrid.identity.v1 import identity_service_pb2_grpc as pb_grpc
from civicgrid_notifications.adapters.identity_directory import IdentityDirectory
from civicgrid_platform.auth import TenantTokens
from civicgrid_platform.errors import NotAuthenticated, NotFound
from civicgrid_platform.grpc.context import rpc_principal
from civicgrid_platform.grpc.server import GrpcServer
from civicgrid_testkit.local_http import LocalHttpServer, Reply, Request
from civicgrid_testkit.processes import find_free_port
from services.notifications.tests.notifications_support import TOKENS


@dataclass
class Directory:
    """What identity knows, per tenant."""

    people: dict[str, pb.Person] = field(default_factory=dict)
    # (unit, role) -> person ids
    holders: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    contacts: dict[str, list[pb.EmergencyContact]] = field(default_factory=dict)
    # device id -> (tenant, person, secret)
    devices: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # RPC name -> how many times it was called
    calls: Counter[str] = field(default_factory=Counter)

    def person(self, tenant: uuid.UUID, name: str, phone: str = "", email: str = "") -> uuid.UUID:
        pid = uuid.uuid4()
        self.people[str(pid)] = pb.Person(
            id=str(pid), tenant_id=str(tenant), display_name=name, phone=phone, email=email
        )
        return pid

    def hold(self, unit: uuid.UUID, role: str, *people: uuid.UUID) -> None:
        self.holders.setdefault((str(unit), role), []).extend(str(p) for p in people)

    def contact(self, person: uuid.UUID, position: int, name: str, phone: str) -> None:
        self.contacts.setdefault(str(person), []).append(
            pb.EmergencyContact(
                id=str(uuid.uuid4()),
                position=position,
                name=name,
                relation="daughter",
                phone=phone,
                preferred_channel=pb.CHANNEL_VOICE,
            )
        )

    def device(self, tenant: uuid.UUID, person: uuid.UUID) -> tuple[str, str]:
        device_id, secret = f"dev-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
        self.devices[device_id] = (str(tenant), str(person), secret)
        return device_id, secret


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _Identity(pb_grpc.IdentityServiceServicer):
    def __init__(self, directory: Directory) -> None:
        self.d = directory

    def _mine(self, person_id: str) -> pb.Person | None:
        found = self.d.people.get(person_id)
        return found if found and found.tenant_id == rpc_principal().tenant_id else None

    async def BatchGetPeople(self, request, context):  # type: ignore[no-untyped-def]
        self.d.calls["BatchGetPeople"] += 1
        found = [p for p in (self._mine(i) for i in request.person_ids) if p is not None]
        missing = [i for i in request.person_ids if self._mine(i) is None]
        return pb.BatchGetPeopleResponse(people=found, missing_ids=missing)

    async def ListRoleHolders(self, request, context):  # type: ignore[no-untyped-def]
        self.d.calls["ListRoleHolders"] += 1
        ids = self.d.holders.get((request.unit_id, request.role), [])
        holders = [
            pb.RoleHolder(
                person=p, binding=pb.RoleBinding(role=request.role, unit_id=request.unit_id)
            )
            for p in (self._mine(i) for i in ids)
            if p is not None
        ]
        return pb.ListRoleHoldersResponse(holders=holders)

    async def GetEmergencyContacts(self, request, context):  # type: ignore[no-untyped-def]
        self.d.calls["GetEmergencyContacts"] += 1
        if self._mine(request.person_id) is None:
            raise NotFound("no such person")
        return pb.GetEmergencyContactsResponse(contacts=self.d.contacts.get(request.person_id, []))

    async def ResolveDevice(self, request, context):  # type: ignore[no-untyped-def]
        self.d.calls["ResolveDevice"] += 1
        known = self.d.devices.get(request.device_id)
        if known is None:
            raise NotFound("unknown device", field="device_id")
        tenant, person, secret = known
        if not hmac.compare_digest(sign(secret, request.payload), request.signature.lower()):
            raise NotAuthenticated("bad device signature")
        family = self.d.contacts.get(person, []) if request.include_emergency_contacts else []
        return pb.ResolveDeviceResponse(
            device_id=request.device_id,
            person_id=person,
            tenant_id=tenant,
            emergency_contacts=family,
        )


def _token_endpoint(request: Request) -> Reply:
    form = dict(urllib.parse.parse_qsl(request.body.decode()))
    tenant = form.get("tenant_id") or str(uuid.UUID(int=0))
    scopes = form.get("scope", "").split()
    token = TOKENS.token(tenant, subject="svc_notifications", scopes=scopes, kind="client")
    body = {"access_token": token, "token_type": "Bearer", "expires_in": 1800}
    return Reply(200, json.dumps(body).encode())


@asynccontextmanager
async def identity_contract(directory: Directory) -> AsyncIterator[IdentityDirectory]:
    """An IdentityDirectory (the real adapter) talking to `directory` over gRPC and HTTP."""
    server = GrpcServer(
        host="127.0.0.1",
        port=find_free_port(),
        registrars=[
            lambda s: pb_grpc.add_IdentityServiceServicer_to_server(_Identity(directory), s)
        ],
        service_names=[pb.DESCRIPTOR.services_by_name["IdentityService"].full_name],
        verifier=TOKENS.verifier(),
    )
    await server.start()
    with LocalHttpServer(_token_endpoint) as tokens_http:
        tokens = TenantTokens(
            tokens_http.url("/v1/oauth/token"), "svc_notifications", "secret", ["people:read"]
        )
        adapter = IdentityDirectory(f"127.0.0.1:{server.port}", tokens, holders_cache_seconds=0)
        try:
            yield adapter
        finally:
            await adapter.aclose()
            await tokens.aclose()
            await server.server.stop(0)
