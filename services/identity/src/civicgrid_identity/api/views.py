"""Use-case results -> response bodies."""

from __future__ import annotations

from civicgrid_identity.api import schemas
from civicgrid_identity.db.people_repo import BindingRecord
from civicgrid_identity.domain.model import EmergencyContact, PartyCategory, Tenant
from civicgrid_identity.usecases.people import PersonView
from civicgrid_identity.usecases.tokens import IssuedTokens


def tenant(t: Tenant) -> schemas.TenantRead:
    return schemas.TenantRead(
        id=t.id,
        slug=t.slug,
        name=t.name,
        city=t.city,
        timezone=t.timezone,
        locale=t.locale,
        created_at=t.created_at,
    )


def binding(b: BindingRecord) -> schemas.RoleBindingRead:
    return schemas.RoleBindingRead(
        id=b.id, role=b.role, unit_id=b.unit_id, granted_by=b.granted_by, created_at=b.created_at
    )


def person(view: PersonView) -> schemas.PersonRead:
    p = view.person
    return schemas.PersonRead(
        id=p.id,
        tenant_id=p.tenant_id,
        display_name=p.display_name,
        phone=p.phone,
        email=p.email,
        status=p.status,
        party_category=PartyCategory(p.party_category) if p.party_category else None,
        party_branch=p.party_branch,
        living_alone=p.living_alone,
        locale=p.locale,
        roles=[binding(b) for b in view.bindings],
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def contact(c: EmergencyContact) -> schemas.EmergencyContactRead:
    return schemas.EmergencyContactRead(
        position=c.position,
        name=c.name,
        relation=c.relation,
        phone=c.phone,
        preferred_channel=c.preferred_channel,
    )


def tokens(issued: IssuedTokens, scope: str | None = None) -> schemas.TokenRead:
    return schemas.TokenRead(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        refresh_expires_at=issued.refresh_expires_at,
        scope=scope,
    )
