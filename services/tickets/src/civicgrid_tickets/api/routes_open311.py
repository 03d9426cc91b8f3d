"""Open311 GeoReport v2 under /open311/v2/ (JSON and XML), for integrators: discovery, services
and their definitions, requests (POST with an api_key, GET with the spec's filters), a single
request and tokens. Errors answer in the spec's format, never problem+json."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response

from civicgrid_platform.errors import DomainError, Forbidden, NotFound
from civicgrid_tickets.api import open311_catalogue as catalogue_views
from civicgrid_tickets.api.deps import Ctx
from civicgrid_tickets.api.open311_errors import Open311Error, Open311ErrorKind, open311_error
from civicgrid_tickets.api.open311_format import (
    FALLBACK_FORMAT,
    CreatedRequest,
    Open311Format,
    RequestToken,
    created_requests_document,
    discovery_document,
    render_document,
    render_error,
    service_definition_document,
    service_requests_document,
    services_document,
    tokens_document,
)
from civicgrid_tickets.api.open311_keys import IdentityUnavailable, KeyRefused
from civicgrid_tickets.api.open311_query import parse_query
from civicgrid_tickets.api.open311_submission import (
    form_pairs,
    parse_submission,
    submission_service_code,
)
from civicgrid_tickets.api.open311_wire import format_from_suffix
from civicgrid_tickets.usecases import open311

router = APIRouter(prefix="/open311/v2", tags=["open311"])


def _send(fmt: Open311Format, document: object, status: int = 200) -> Response:
    rendered = render_document(document, fmt, status=status)  # type: ignore[arg-type]
    return Response(rendered.body, rendered.status, media_type=rendered.content_type)


async def _answer(suffix: str, work: Callable[[Open311Format], Awaitable[Response]]) -> Response:
    """Runs `work` in the format the path asks for, and answers every failure as the spec's
    error document (a 4xx naming the parameter; 503 when identity cannot check a key)."""
    try:
        fmt = format_from_suffix(suffix)
    except Open311Error as error:
        rendered = render_error(error, FALLBACK_FORMAT)
        return Response(rendered.body, rendered.status, media_type=rendered.content_type)
    try:
        return await work(fmt)
    except Open311Error as error:
        failure = error
    except KeyRefused as refused:
        failure = open311_error(Open311ErrorKind.INVALID_API_KEY, str(refused))
    except IdentityUnavailable:
        failure = Open311Error(503, "api_key: cannot be checked right now; retry shortly")
    except NotFound as missing:
        failure = Open311Error(404, f"{missing.field or 'request'}: {missing.detail}")
    except Forbidden as refused_here:
        failure = Open311Error(403, refused_here.detail)
    except DomainError as bad:  # invalid input, and whatever else the caller caused
        failure = Open311Error(400, f"{bad.field or 'request'}: {bad.detail}")
    rendered = render_error(failure, fmt)
    return Response(rendered.body, rendered.status, media_type=rendered.content_type)


@router.get("/discovery.{fmt}")
async def discovery(fmt: str, request: Request) -> Response:
    async def work(f: Open311Format) -> Response:
        base = str(request.url).split("/discovery.")[0] + "/"
        return _send(f, discovery_document(catalogue_views.discovery(base)))

    return await _answer(fmt, work)


@router.get("/services.{fmt}")
async def services(fmt: str, ctx: Ctx, jurisdiction_id: str | None = None) -> Response:
    async def work(f: Open311Format) -> Response:
        tenant = await open311.district(ctx, jurisdiction_id)
        found = await open311.services(ctx, tenant)
        return _send(f, services_document(catalogue_views.service(c) for c in found))

    return await _answer(fmt, work)


@router.get("/services/{code}.{fmt}")
async def service_definition(
    code: str, fmt: str, ctx: Ctx, jurisdiction_id: str | None = None
) -> Response:
    async def work(f: Open311Format) -> Response:
        tenant = await open311.district(ctx, jurisdiction_id)
        found = {c.code: c for c in await open311.services(ctx, tenant)}
        if code not in found:
            raise open311_error(Open311ErrorKind.UNKNOWN_SERVICE_CODE, f"service_code: no {code}")
        return _send(f, service_definition_document(catalogue_views.definition(found[code])))

    return await _answer(fmt, work)


@router.post("/requests.{fmt}")
async def post_request(fmt: str, ctx: Ctx, request: Request) -> Response:
    async def work(f: Open311Format) -> Response:
        pairs = form_pairs(await request.body())
        jurisdiction = next((v for k, v in pairs if k == "jurisdiction_id"), None)
        tenant = await open311.district(ctx, jurisdiction)
        found = {c.code: c for c in await open311.services(ctx, tenant)}
        code = submission_service_code(pairs)
        if code not in found:
            raise open311_error(Open311ErrorKind.UNKNOWN_SERVICE_CODE, f"service_code: no {code}")
        parsed = parse_submission(pairs, catalogue_views.definition(found[code]))
        principal = await request.app.state.open311_keys.principal(parsed.api_key or "")
        if principal.tenant_uuid != tenant:
            raise open311_error(
                Open311ErrorKind.INVALID_API_KEY, "api_key: not a key of this jurisdiction"
            )
        name = " ".join(n for n in (parsed.first_name, parsed.last_name) if n) or None
        ticket = await open311.submit(
            ctx,
            tenant,
            principal.subject,
            open311.Report(
                service_code=code,
                description=parsed.description or found[code].name,
                lat=parsed.lat,
                lon=parsed.long,
                address=parsed.address_string,
                attributes=parsed.attributes,
                email=parsed.email,
                phone=parsed.phone,
                name=name,
            ),
            token=principal.token,
        )
        created = CreatedRequest(service_request_id=str(ticket.id), service_notice=ticket.number)
        return _send(f, created_requests_document([created]))

    return await _answer(fmt, work)


@router.get("/requests.{fmt}")
async def get_requests(fmt: str, ctx: Ctx, request: Request) -> Response:
    async def work(f: Open311Format) -> Response:
        query = parse_query(request.query_params.multi_items(), now=datetime.now(UTC))
        tenant = await open311.district(ctx, query.jurisdiction_id)
        found = await open311.requests(
            ctx,
            tenant,
            ids=query.service_request_ids,
            codes=query.service_codes,
            statuses=[s.value for s in query.statuses],
            start=query.start,
            end=query.end,
            limit=query.limit,
        )
        names = {c.code: c.name for c in await open311.services(ctx, tenant)}
        views = [catalogue_views.request_view(t, names) for t in found]
        return _send(f, service_requests_document(views))

    return await _answer(fmt, work)


@router.get("/requests/{request_id}.{fmt}")
async def get_request(
    request_id: str, fmt: str, ctx: Ctx, jurisdiction_id: str | None = None
) -> Response:
    async def work(f: Open311Format) -> Response:
        tenant = await open311.district(ctx, jurisdiction_id)
        found = await open311.requests(
            ctx, tenant, ids=[request_id], codes=[], statuses=[], start=None, end=None, limit=1
        )
        if not found:
            raise open311_error(
                Open311ErrorKind.UNKNOWN_SERVICE_REQUEST, f"service_request_id: no {request_id}"
            )
        names = {c.code: c.name for c in await open311.services(ctx, tenant)}
        return _send(f, service_requests_document([catalogue_views.request_view(found[0], names)]))

    return await _answer(fmt, work)


@router.get("/tokens/{token}.{fmt}")
async def get_token(token: str, fmt: str, ctx: Ctx, jurisdiction_id: str | None = None) -> Response:
    """Requests are created at once, so a token is the request's own id."""

    async def work(f: Open311Format) -> Response:
        tenant = await open311.district(ctx, jurisdiction_id)
        try:
            UUID(token)
        except ValueError:
            raise open311_error(Open311ErrorKind.UNKNOWN_TOKEN, f"token: no {token}") from None
        found = await open311.requests(
            ctx, tenant, ids=[token], codes=[], statuses=[], start=None, end=None, limit=1
        )
        if not found:
            raise open311_error(Open311ErrorKind.UNKNOWN_TOKEN, f"token: no {token}")
        return _send(f, tokens_document([RequestToken(token=token, service_request_id=token)]))

    return await _answer(fmt, work)
