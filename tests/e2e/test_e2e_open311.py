"""Open311 across processes: an integrator registered with identity posts a request to tickets
with its api_key (tickets exchanges it with identity) in JSON and in XML, and reads it back."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import httpx
import pytest

from civicgrid_devstack.services import ServiceProcess
from tests.e2e.e2e_support import district_admin

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def _district_with_integrator(identity: httpx.AsyncClient) -> tuple[str, str]:
    slug, admin_token = await district_admin(identity, "open311")
    client = await identity.post(
        "/v1/clients",
        json={"name": "311 app", "scopes": ["open311"]},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert client.status_code == 201, client.text
    return slug, f"{client.json()['client_id']}:{client.json()['client_secret']}"


async def test_an_integrator_posts_and_reads_requests_in_json_and_xml(
    identity_process: ServiceProcess, tickets_process: ServiceProcess
) -> None:
    async with httpx.AsyncClient(base_url=identity_process.base_url, timeout=30) as identity:
        slug, api_key = await _district_with_integrator(identity)
    base = f"{tickets_process.base_url}/open311/v2"
    form = {
        "jurisdiction_id": slug,
        "api_key": api_key,
        "service_code": "lighting",
        "lat": "36.65",
        "long": "117.0",
        "description": "路灯不亮",
        "email": "resident@example.org",
    }
    async with httpx.AsyncClient(timeout=30) as http:
        # Tickets learns the district from identity's tenant.created event, through Kafka.
        for _ in range(120):
            known = await http.get(f"{base}/services.json", params={"jurisdiction_id": slug})
            if known.status_code == 200:
                break
            await asyncio.sleep(0.5)
        assert known.status_code == 200, known.text

        as_json = await http.post(f"{base}/requests.json", data=form)
        assert as_json.status_code == 200, as_json.text
        first = as_json.json()[0]["service_request_id"]
        as_xml = await http.post(f"{base}/requests.xml", data=form)
        assert as_xml.status_code == 200, as_xml.text
        second = ET.fromstring(as_xml.content).findtext("request/service_request_id")  # noqa: S314

        listed = await http.get(f"{base}/requests.json", params={"jurisdiction_id": slug})
        assert {r["service_request_id"] for r in listed.json()} == {first, second}
        one = await http.get(f"{base}/requests/{first}.xml", params={"jurisdiction_id": slug})
        request = ET.fromstring(one.content).find("request")  # noqa: S314
        assert request is not None and request.findtext("status") == "open"
        assert request.findtext("service_code") == "lighting"

        wrong = await http.post(f"{base}/requests.json", data={**form, "api_key": "nope:nope"})
        assert wrong.status_code == 403 and wrong.json()[0]["code"] == 403
