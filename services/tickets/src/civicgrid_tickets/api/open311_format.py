"""GeoReport v2 response documents: one builder per resource, rendered by `render_document`.

A route builds the document from the input values in `open311_model`, then renders it in the
format its path suffix asked for:

    fmt = format_from_suffix(suffix)
    return render_document(services_document(infos), fmt)

Element and key names, their order and the XML root/item names follow the GeoReport v2 text.
"""

from __future__ import annotations

from collections.abc import Iterable

from civicgrid_tickets.api.open311_errors import Open311Error
from civicgrid_tickets.api.open311_model import (
    CreatedRequest,
    DiscoveryEndpoint,
    DiscoveryInfo,
    RequestToken,
    ServiceAttribute,
    ServiceDefinition,
    ServiceInfo,
    ServiceRequestView,
)
from civicgrid_tickets.api.open311_wire import (
    FALLBACK_FORMAT,
    Open311Document,
    Open311Format,
    Open311Response,
    WireList,
    WireNode,
    format_from_suffix,
    render_document,
)

# Routes need only this module to answer: builders here, format choice re-exported from wire.
__all__ = [
    "FALLBACK_FORMAT",
    "Open311Document",
    "Open311Format",
    "Open311Response",
    "created_requests_document",
    "discovery_document",
    "errors_document",
    "format_from_suffix",
    "render_document",
    "render_error",
    "service_definition_document",
    "service_requests_document",
    "services_document",
    "tokens_document",
]


def discovery_document(info: DiscoveryInfo) -> Open311Document:
    """GET discovery.{format}."""
    return Open311Document(
        "discovery",
        {
            "changeset": info.changeset,
            "contact": info.contact,
            "key_service": info.key_service,
            "endpoints": WireList("endpoint", tuple(_endpoint(e) for e in info.endpoints)),
        },
    )


def services_document(services: Iterable[ServiceInfo]) -> Open311Document:
    """GET services.{format}."""
    return Open311Document("services", WireList("service", tuple(map(_service, services))))


def service_definition_document(definition: ServiceDefinition) -> Open311Document:
    """GET services/{service_code}.{format}; attributes are listed in their `order`."""
    attributes = sorted(definition.attributes, key=lambda a: a.order)
    return Open311Document(
        "service_definition",
        {
            "service_code": definition.service_code,
            "attributes": WireList("attribute", tuple(map(_attribute, attributes))),
        },
    )


def created_requests_document(created: Iterable[CreatedRequest]) -> Open311Document:
    """The answer to POST requests.{format}: the id when created at once, else the token."""
    return Open311Document(
        "service_requests", WireList("request", tuple(map(_created_request, created)))
    )


def service_requests_document(requests: Iterable[ServiceRequestView]) -> Open311Document:
    """GET requests.{format} and GET requests/{service_request_id}.{format} (a list of one)."""
    return Open311Document(
        "service_requests", WireList("request", tuple(map(_service_request, requests)))
    )


def tokens_document(tokens: Iterable[RequestToken]) -> Open311Document:
    """GET tokens/{token}.{format}."""
    items: tuple[WireNode, ...] = tuple(
        {"service_request_id": t.service_request_id, "token": t.token} for t in tokens
    )
    return Open311Document("service_requests", WireList("request", items))


def errors_document(errors: Iterable[Open311Error]) -> Open311Document:
    items: tuple[WireNode, ...] = tuple(
        {"code": error.status, "description": error.description} for error in errors
    )
    return Open311Document("errors", WireList("error", items))


def render_error(error: Open311Error, fmt: Open311Format) -> Open311Response:
    """The error list GeoReport v2 clients parse, sent with the error's own HTTP status."""
    return render_document(errors_document([error]), fmt, status=error.status)


def _endpoint(endpoint: DiscoveryEndpoint) -> WireNode:
    return {
        "specification": endpoint.specification,
        "url": endpoint.url,
        "changeset": endpoint.changeset,
        "type": endpoint.type.value,
        "formats": WireList("format", endpoint.formats),
    }


def _service(service: ServiceInfo) -> WireNode:
    return {
        "service_code": service.service_code,
        "service_name": service.service_name,
        "description": service.description,
        "metadata": service.metadata,
        "type": service.type.value,
        # The spec defines keywords as one comma separated string, not a list.
        "keywords": ", ".join(service.keywords) if service.keywords else None,
        "group": service.group,
    }


def _attribute(attribute: ServiceAttribute) -> WireNode:
    values: tuple[WireNode, ...] = tuple({"key": v.key, "name": v.name} for v in attribute.values)
    return {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype.value,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description,
        "order": attribute.order,
        "description": attribute.description,
        "values": WireList("value", values),
    }


def _created_request(created: CreatedRequest) -> WireNode:
    handle: dict[str, WireNode] = (
        {"service_request_id": created.service_request_id}
        if created.service_request_id is not None
        else {"token": created.token}
    )
    return {**handle, "service_notice": created.service_notice, "account_id": created.account_id}


def _service_request(request: ServiceRequestView) -> WireNode:
    return {
        "service_request_id": request.service_request_id,
        "status": request.status.value,
        "status_notes": request.status_notes,
        "service_name": request.service_name,
        "service_code": request.service_code,
        "description": request.description,
        "agency_responsible": request.agency_responsible,
        "service_notice": request.service_notice,
        "requested_datetime": request.requested_datetime,
        "updated_datetime": request.updated_datetime,
        "expected_datetime": request.expected_datetime,
        "address": request.address,
        "address_id": request.address_id,
        "zipcode": request.zipcode,
        "lat": request.lat,
        "long": request.long,
        "media_url": request.media_url,
    }
