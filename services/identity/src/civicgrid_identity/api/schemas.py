"""Request and response bodies: separate Create/Update/Read shapes, never table rows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from civicgrid_identity.domain.model import Channel, PartyCategory

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=32)]
Password = Annotated[str, StringConstraints(min_length=10, max_length=256)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TenantCreate(Strict):
    slug: Slug
    name: Name
    city: Name
    timezone: str = "Asia/Shanghai"
    locale: Literal["zh-CN", "en"] = "zh-CN"


class TenantRead(BaseModel):
    id: UUID
    slug: str
    name: str
    city: str
    timezone: str
    locale: str
    created_at: datetime


class ResidentRegister(Strict):
    tenant: Slug
    display_name: Name
    phone: Phone | None = None
    email: EmailStr | None = None
    password: Password
    locale: Literal["zh-CN", "en"] | None = None
    living_alone: bool = False


class RoleBindingIn(Strict):
    role: str = Field(min_length=1, max_length=32)
    unit_id: UUID | None = None


class StaffInvite(Strict):
    display_name: Name
    phone: Phone | None = None
    email: EmailStr | None = None
    locale: Literal["zh-CN", "en"] | None = None
    party_category: PartyCategory | None = None
    party_branch: Name | None = None
    roles: list[RoleBindingIn] = Field(default_factory=list, max_length=20)


class InvitationAccept(Strict):
    tenant: Slug
    code: str = Field(min_length=10, max_length=100)
    password: Password


class RoleBindingRead(BaseModel):
    id: UUID
    role: str
    unit_id: UUID | None
    granted_by: str
    created_at: datetime


class PersonRead(BaseModel):
    id: UUID
    tenant_id: UUID
    display_name: str
    phone: str | None
    email: str | None
    status: str
    party_category: PartyCategory | None
    party_branch: str | None
    living_alone: bool
    locale: str | None
    roles: list[RoleBindingRead]
    created_at: datetime
    updated_at: datetime


class InvitationRead(BaseModel):
    person: PersonRead
    invitation_code: str


class PersonUpdate(Strict):
    display_name: Name | None = None
    phone: Phone | None = None
    email: EmailStr | None = None
    locale: Literal["zh-CN", "en"] | None = None
    party_category: PartyCategory | None = None
    party_branch: Name | None = None
    living_alone: bool | None = None
    status: Literal["active", "disabled"] | None = None


class EmergencyContactIn(Strict):
    name: Name
    relation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    phone: Phone
    preferred_channel: Channel = Channel.SMS


class EmergencyContactRead(EmergencyContactIn):
    position: int


class EmergencyContactsPut(Strict):
    contacts: list[EmergencyContactIn] = Field(max_length=5)


class DeviceBind(Strict):
    device_id: str = Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class DeviceBound(BaseModel):
    device_id: str
    person_id: UUID
    secret: str = Field(description="HMAC key for the device; shown only once")


class Login(Strict):
    tenant: Slug
    username: str = Field(min_length=3, max_length=254, description="email or phone number")
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(Strict):
    refresh_token: str = Field(min_length=10, max_length=200)


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None
    scope: str | None = None


class ClientCreate(Strict):
    name: Name
    scopes: list[str] = Field(default_factory=list, max_length=50)


class ClientRead(BaseModel):
    client_id: str
    client_secret: str = Field(description="shown only once")
    name: str
    scopes: list[str]


class AuditEntry(BaseModel):
    id: int
    at: datetime
    action: str
    actor: str | None
    subject: str | None
    source: str | None
    details: dict[str, object]


class KeyRotated(BaseModel):
    kid: str
    activates_at: datetime = Field(description="published now; signs tokens from this time")
