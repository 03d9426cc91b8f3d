"""What the Open311 renderers take: plain values the HTTP layer maps its domain objects into.

Nothing here knows the database or the domain model, so the wire format can change (or a v2.1
appear) without touching either. Field names follow GeoReport v2 so the mapping reads 1:1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

GEOREPORT_V2_SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
OPEN311_MEDIA_TYPES: tuple[str, ...] = ("text/xml", "application/json")


class Open311Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ServiceType(StrEnum):
    REALTIME = "realtime"
    BATCH = "batch"
    BLACKBOX = "blackbox"


class AttributeDatatype(StrEnum):
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"


LIST_DATATYPES = frozenset({AttributeDatatype.SINGLEVALUELIST, AttributeDatatype.MULTIVALUELIST})


class EndpointType(StrEnum):
    PRODUCTION = "production"
    TEST = "test"


@dataclass(frozen=True, slots=True)
class DiscoveryEndpoint:
    url: str
    changeset: datetime
    type: EndpointType
    formats: tuple[str, ...] = OPEN311_MEDIA_TYPES
    specification: str = GEOREPORT_V2_SPECIFICATION


@dataclass(frozen=True, slots=True)
class DiscoveryInfo:
    changeset: datetime
    contact: str
    key_service: str
    endpoints: tuple[DiscoveryEndpoint, ...]


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """One entry of the service list."""

    service_code: str
    service_name: str
    description: str | None
    metadata: bool  # true when the service has a definition (attributes) to fetch
    type: ServiceType
    keywords: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True, slots=True)
class AttributeValue:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class ServiceAttribute:
    code: str
    datatype: AttributeDatatype
    description: str
    order: int
    required: bool = False
    # False: the attribute only shows information to the user and takes no answer.
    variable: bool = True
    datatype_description: str | None = None
    values: tuple[AttributeValue, ...] = ()

    def __post_init__(self) -> None:
        # A list with nothing to choose from could never be answered; catch it where it is built.
        if self.datatype in LIST_DATATYPES and self.variable and not self.values:
            raise ValueError(f"attribute {self.code}: {self.datatype} needs values")
        if self.datatype not in LIST_DATATYPES and self.values:
            raise ValueError(f"attribute {self.code}: {self.datatype} takes no values")


@dataclass(frozen=True, slots=True)
class ServiceDefinition:
    """The attributes of one service; a service without metadata has none."""

    service_code: str
    attributes: tuple[ServiceAttribute, ...] = ()

    def attribute(self, code: str) -> ServiceAttribute | None:
        return next((a for a in self.attributes if a.code == code), None)


@dataclass(frozen=True, slots=True)
class ServiceRequestView:
    """One service request as GET service_requests shows it."""

    service_request_id: str
    status: Open311Status
    service_code: str
    service_name: str | None
    requested_datetime: datetime
    status_notes: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    updated_datetime: datetime | None = None
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None

    def __post_init__(self) -> None:
        for name, value in (("lat", self.lat), ("long", self.long)):
            if value is not None and not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")


@dataclass(frozen=True, slots=True)
class CreatedRequest:
    """The answer to POST requests: an id when created at once, else a token to look up later."""

    service_request_id: str | None = None
    token: str | None = None
    service_notice: str | None = None
    account_id: str | None = None

    def __post_init__(self) -> None:
        if (self.service_request_id is None) == (self.token is None):
            raise ValueError("give exactly one of service_request_id and token")


@dataclass(frozen=True, slots=True)
class RequestToken:
    """GET tokens/{token}: the request id is None while the request is still being created."""

    token: str
    service_request_id: str | None = None
