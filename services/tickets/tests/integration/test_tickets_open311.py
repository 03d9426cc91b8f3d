"""Open311 GeoReport v2 in JSON and XML, in process on real PostgreSQL: discovery, services and
their definitions, requests filtered as the spec says, tokens, and errors in the spec's format.
(A POST with a working api_key crosses to identity: tests/e2e covers it.)"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest

from civicgrid_tickets.usecases import map_model
from civicgrid_tickets.usecases.context import TicketsContext
from services.tickets.tests.tickets_support import District, bearer

pytestmark = pytest.mark.integration
BASE = "/open311/v2"


@pytest.fixture
async def slug(tickets_ctx: TicketsContext, district: District) -> str:
    name = f"lixia-{uuid.uuid4().hex[:8]}"
    async with tickets_ctx.uow(tenant_id=None) as uow:
        await map_model.remember_district(uow, uuid.UUID(district.tenant), name, "历下区")
        await uow.commit()
    return name


async def test_services_and_definitions_in_both_formats(api: httpx.AsyncClient, slug: str) -> None:
    listed = await api.get(f"{BASE}/services.json", params={"jurisdiction_id": slug})
    assert listed.status_code == 200 and listed.headers["content-type"].startswith(
        "application/json"
    )
    codes = {s["service_code"]: s for s in listed.json()}
    assert codes["elevator"]["metadata"] is True and codes["roads"]["metadata"] is False
    xml = await api.get(f"{BASE}/services.xml", params={"jurisdiction_id": slug})
    assert xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(xml.content)  # noqa: S314 - our own output
    assert root.tag == "services" and len(root.findall("service")) == len(codes)
    definition = await api.get(f"{BASE}/services/elevator.json", params={"jurisdiction_id": slug})
    attribute = definition.json()["attributes"][0]
    assert (attribute["code"], attribute["required"], attribute["datatype"]) == (
        "people_trapped",
        True,
        "singlevaluelist",
    )
    assert {v["key"] for v in attribute["values"]} == {"yes", "no"}


async def test_requests_read_back_with_the_specs_filters(
    api: httpx.AsyncClient, district: District, slug: str
) -> None:
    lat, lon = district.inside(0)
    made = []
    for category in ("roads", "lighting"):
        answer = await api.post(
            "/v1/tickets",
            json={"category": category, "description": "问题 <&>", "lat": lat, "lon": lon},
            headers=bearer(district.tenant, "resident"),
        )
        made.append(answer.json()["id"])
    everything = await api.get(f"{BASE}/requests.json", params={"jurisdiction_id": slug})
    assert {r["service_request_id"] for r in everything.json()} == set(made)
    roads = await api.get(
        f"{BASE}/requests.json", params={"jurisdiction_id": slug, "service_code": "roads"}
    )
    assert [r["service_request_id"] for r in roads.json()] == [made[0]]
    assert roads.json()[0]["status"] == "open" and roads.json()[0]["lat"] == pytest.approx(lat)
    closed = await api.get(
        f"{BASE}/requests.json", params={"jurisdiction_id": slug, "status": "closed"}
    )
    assert closed.json() == []
    one = await api.get(f"{BASE}/requests/{made[1]}.xml", params={"jurisdiction_id": slug})
    request = ET.fromstring(one.content).find("request")  # noqa: S314 - our own output
    assert request is not None and request.findtext("service_code") == "lighting"
    assert request.findtext("description") == "问题 <&>"
    token = await api.get(f"{BASE}/tokens/{made[1]}.json", params={"jurisdiction_id": slug})
    assert token.json() == [{"token": made[1], "service_request_id": made[1]}]


async def test_errors_answer_in_the_specs_format(api: httpx.AsyncClient, slug: str) -> None:
    unknown_format = await api.get(f"{BASE}/services.csv", params={"jurisdiction_id": slug})
    assert unknown_format.status_code == 404 and b"<errors>" in unknown_format.content
    nowhere = await api.get(f"{BASE}/services.json", params={"jurisdiction_id": "atlantis"})
    assert nowhere.status_code == 404 and "jurisdiction_id" in nowhere.json()[0]["description"]
    no_service = await api.get(f"{BASE}/services/volcano.json", params={"jurisdiction_id": slug})
    assert no_service.status_code == 404
    backwards = await api.get(
        f"{BASE}/requests.json",
        params={
            "jurisdiction_id": slug,
            "start_date": "2026-11-20T00:00:00+08:00",
            "end_date": "2026-11-10T00:00:00+08:00",
        },
    )
    assert backwards.status_code == 400 and "end_date" in backwards.json()[0]["description"]
    no_key = await api.post(
        f"{BASE}/requests.json",
        content=f"jurisdiction_id={slug}&service_code=roads&lat=36.65&long=117.0",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert no_key.status_code == 403 and no_key.json()[0]["code"] == 403
    missing = await api.get(
        f"{BASE}/requests/{uuid.uuid4()}.json", params={"jurisdiction_id": slug}
    )
    assert missing.status_code == 404


async def test_a_key_that_cannot_be_checked_is_a_503_not_a_500(
    api: httpx.AsyncClient, slug: str
) -> None:
    # The app's identity_url is the default 127.0.0.1:8101, where nothing listens in tests.
    answer = await api.post(
        f"{BASE}/requests.xml",
        content=f"jurisdiction_id={slug}&service_code=roads&lat=36.65&long=117.0&api_key=a:b",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 503 and b"<errors>" in answer.content
