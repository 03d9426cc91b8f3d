"""Bad input never becomes a server error: Schemathesis generates requests for every operation
of a service's OpenAPI document and no answer may be a 5xx (its `not_a_server_error` check).

Cases are drawn with Hypothesis up front (bounded and derandomized, so a run is repeatable) and
sent to the in-process app on the test's own event loop, which the database pool is bound to.
Every other case's path ids are replaced by real ones, so generated bodies reach the use cases
and the database rather than stopping at "not found".

Two adaptations to the installed tools (schemathesis_compat):
- the locked Hypothesis reworked its private `many` helper, which hypothesis-jsonschema 0.23
  (under Schemathesis 3) still drives with `.more()`; `LegacyMany` offers the old calls;
- Schemathesis 3 draws no values for `format: uuid`, so path ids would never be UUIDs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import _from_schema
from requests.structures import CaseInsensitiveDict
from schemathesis import DataGenerationMethod, GenerationConfig
from schemathesis.checks import not_a_server_error
from schemathesis.exceptions import SkipTest
from schemathesis.internal.checks import CheckContext
from schemathesis.models import Case
from schemathesis.specs.openapi.formats import STRING_FORMATS


class LegacyMany:
    """`many(...).more()` / `.reject()` on top of Hypothesis' `with many(...) as e: for _ in e`."""

    def __init__(self, data: Any, **sizes: Any) -> None:
        self._many = conjecture_utils.many(data, **sizes)
        self._many.__enter__()
        self._elements: Iterator[None] = iter(self._many)

    def more(self) -> bool:
        try:
            next(self._elements)
        except StopIteration:
            self._many.__exit__(None)
            return False
        return True

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


@contextmanager
def schemathesis_compat() -> Iterator[None]:
    patched = not hasattr(conjecture_utils.many, "more")
    original = _from_schema.cu
    if patched:
        _from_schema.cu = SimpleNamespace(many=LegacyMany)  # type: ignore[assignment]
    added = "uuid" not in STRING_FORMATS
    if added:
        schemathesis.openapi.format("uuid", st.uuids().map(str))
    try:
        yield
    finally:
        if added:
            schemathesis.openapi.unregister_string_format("uuid")
        if patched:
            _from_schema.cu = original


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


async def send(
    client: httpx.AsyncClient, case: Case, base_url: str, headers: dict[str, str]
) -> httpx.Response | None:
    """The case's request, or None when it cannot travel over HTTP at all (a header value
    outside Latin-1)."""
    kwargs = case.as_transport_kwargs(base_url=base_url, headers=headers)
    try:
        raw_headers = [
            (name.encode("latin-1"), str(value).encode("latin-1"))
            for name, value in (kwargs.get("headers") or {}).items()
        ]
    except UnicodeEncodeError:
        return None
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
        headers=raw_headers,
        cookies=kwargs.get("cookies"),
        **body,
    )


def as_requests_response(response: httpx.Response) -> requests.Response:
    """The answer in the shape Schemathesis' checks read."""
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


@dataclass
class FuzzReport:
    failures: list[str] = field(default_factory=list)
    statuses: dict[str, set[int]] = field(default_factory=dict)
    operations: int = 0


def bounds_as_openapi_30(node: Any) -> Any:
    """The document with OpenAPI 3.1's numeric exclusiveMinimum/Maximum (how FastAPI writes
    `gt`/`lt`) turned into 3.0's flags on minimum/maximum: the kit reads documents as 3.0, and
    Schemathesis' schema-breaking draws fail on the 3.1 form."""
    if isinstance(node, list):
        return [bounds_as_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: bounds_as_openapi_30(value) for key, value in node.items()}
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = converted.get(flag)
        if isinstance(value, int | float) and not isinstance(value, bool):
            converted[bound], converted[flag] = value, True
    return converted


async def fuzz_api(
    openapi: dict[str, Any],
    client: httpx.AsyncClient,
    base_url: str,
    headers_for: Callable[[int], dict[str, str]],
    real_ids: Mapping[str, str],
    *,
    examples: int = 25,
    negative_examples: int = 10,
) -> FuzzReport:
    """Every operation, with valid and schema-breaking requests; headers_for(n) picks who asks
    (e.g. an admin and a resident in turn)."""
    schema = schemathesis.from_dict(
        bounds_as_openapi_30(openapi),
        base_url=base_url,
        force_schema_version="30",  # FastAPI writes 3.1, which Schemathesis 3 gates as experimental
        data_generation_methods=[DataGenerationMethod.positive, DataGenerationMethod.negative],
        # U+0000 is tested on its own where a service stores text.
        generation_config=GenerationConfig(allow_x00=False),
    )
    report = FuzzReport()
    check_context = CheckContext(override=None, auth=None, headers=None)
    with schemathesis_compat():
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]
            report.operations += 1
            plans = [(DataGenerationMethod.positive, examples)]
            if "{" not in operation.path:
                # Schemathesis cannot make path parameters invalid here (every draw is filtered
                # away), so the other operations get schema-breaking bodies and queries only.
                plans.append((DataGenerationMethod.negative, negative_examples))
            for method, count in plans:
                try:
                    cases = draw_cases(operation.as_strategy(data_generation_method=method), count)
                except (SkipTest, Unsatisfiable):
                    continue  # nothing of this operation can be made invalid
                for n, case in enumerate(cases):
                    if n % 2 == 0 and case.path_parameters:
                        case.path_parameters = {
                            name: real_ids.get(name, value)
                            for name, value in case.path_parameters.items()
                        }
                    response = await send(client, case, base_url, headers_for(n))
                    if response is None:
                        continue
                    report.statuses.setdefault(operation.verbose_name, set()).add(
                        response.status_code
                    )
                    try:
                        not_a_server_error(check_context, as_requests_response(response), case)
                    except AssertionError:
                        curl = case.as_curl_command()
                        report.failures.append(
                            f"{operation.verbose_name}: {response.status_code} for {curl}"
                        )
    return report
