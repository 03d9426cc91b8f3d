"""Our categories and tickets as GeoReport v2 sees them."""

from __future__ import annotations

from datetime import UTC, datetime

from civicgrid_tickets.api.open311_model import (
    AttributeDatatype,
    AttributeValue,
    DiscoveryEndpoint,
    DiscoveryInfo,
    EndpointType,
    Open311Status,
    ServiceAttribute,
    ServiceDefinition,
    ServiceInfo,
    ServiceRequestView,
    ServiceType,
)
from civicgrid_tickets.domain.categories import Category
from civicgrid_tickets.domain.records import TicketRecord
from civicgrid_tickets.usecases.open311 import CLOSED

# When this server's Open311 surface last changed (discovery's changeset).
CHANGESET = datetime(2026, 11, 26, tzinfo=UTC)


def discovery(base_url: str) -> DiscoveryInfo:
    return DiscoveryInfo(
        changeset=CHANGESET,
        contact="CivicGrid — the district's hotline 12345",
        key_service="a tenant admin registers an integrator client with the open311 scope; "
        "api_key = <client_id>:<client_secret>",
        endpoints=(
            DiscoveryEndpoint(url=base_url, changeset=CHANGESET, type=EndpointType.PRODUCTION),
        ),
    )


def service(c: Category) -> ServiceInfo:
    return ServiceInfo(
        service_code=c.code,
        service_name=c.name,
        description=c.description or None,
        metadata=bool(c.attributes),
        type=ServiceType.REALTIME,
        keywords=(),
        group=c.handled_by,
    )


def definition(c: Category) -> ServiceDefinition:
    return ServiceDefinition(
        service_code=c.code,
        attributes=tuple(
            ServiceAttribute(
                code=a.code,
                datatype=AttributeDatatype(a.datatype),
                description=a.description or a.code,
                order=n,
                required=a.required,
                values=tuple(AttributeValue(k, name) for k, name in a.values),
            )
            for n, a in enumerate(c.attributes, start=1)
        ),
    )


def request_view(t: TicketRecord, names: dict[str, str]) -> ServiceRequestView:
    return ServiceRequestView(
        service_request_id=str(t.id),
        status=Open311Status.CLOSED if t.status in CLOSED else Open311Status.OPEN,
        status_notes=t.status,
        service_code=t.category,
        service_name=names.get(t.category),
        description=t.description,
        agency_responsible=t.level,
        service_notice=t.number,
        requested_datetime=t.created_at,
        updated_datetime=t.updated_at,
        expected_datetime=t.resolve_due_at,
        address=t.address,
        lat=t.lat,
        long=t.lon,
    )
