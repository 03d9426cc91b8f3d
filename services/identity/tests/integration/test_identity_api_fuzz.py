"""Bad input never becomes a server error: Schemathesis generates requests for every operation
of identity's OpenAPI document and each answer must be below 500.

Cases are drawn with Hypothesis up front (bounded and derandomized, so the run is repeatable)
and then sent to the in-process app on the test's own event loop, which the database pool is
bound to.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from requests.structures import CaseInsensitiveDict
from schemathesis import DataGenerationMethod
from schemathesis.checks import not_a_server_error
from schemathesis.internal.checks import CheckContext
from schemathesis.models import Case

from services.identity.tests.identity_support import BASE_URL, District, IdentityApi, bearer

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = 25


def draw_cases(strategy: Any, count: int) -> list[Case]:
    cases: list[Case] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def gather(case: Case) -> None:
        cases.append(case)

    gather()
    return cases


async def send(client: httpx.AsyncClient, case: Case, headers: dict[str, str]) -> httpx.Response:
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    data = kwargs.get("data")
    if isinstance(data, bytes | str):
        body["content"] = data
    elif data is not None:
        body["data"] = data
    return await client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params"),
        headers=kwargs.get("headers"),
        cookies=kwargs.get("cookies"),
        **body,
    )


def as_requests_response(response: httpx.Response) -> requests.Response:
    """What Schemathesis' checks read, built from the httpx answer."""
    converted = requests.Response()
    converted.status_code = response.status_code
    converted._content = response.content
    converted.headers = CaseInsensitiveDict(response.headers)
    converted.url = str(response.request.url)
    converted.encoding = "utf-8"
    converted.request = requests.Request(
        response.request.method, str(response.request.url), headers=dict(response.request.headers)
    ).prepare()
    return converted


async def test_no_generated_request_gets_a_server_error(app, api: IdentityApi, district: District):
    resident = await api.register(district)
    schema = schemathesis.from_dict(
        app.openapi(),
        base_url=BASE_URL,
        force_schema_version="30",  # FastAPI writes 3.1, which Schemathesis 3 gates as experimental
        data_generation_methods=[DataGenerationMethod.positive, DataGenerationMethod.negative],
    )
    check_context = CheckContext(override=None, auth=None, headers=None)
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for method in (DataGenerationMethod.positive, DataGenerationMethod.negative):
            strategy = operation.as_strategy(data_generation_method=method)
            for case in draw_cases(strategy, EXAMPLES_PER_OPERATION):
                # Half as the district's admin (the widest reach), half as a plain resident.
                who = district.admin if sent % 2 == 0 else resident
                response = await send(api.http, case, bearer(who.access))
                sent += 1
                try:
                    not_a_server_error(check_context, as_requests_response(response), case)
                except AssertionError:
                    failures.append(
                        f"{operation.verbose_name}: {response.status_code} for {case.as_curl_command()}"
                    )
    assert sent > 20 * EXAMPLES_PER_OPERATION
    assert not failures, "\n".join(failures)
