"""Every error a client can meet comes back as an RFC 9457 problem document."""

from __future__ import annotations

import logging

import pytest

from civicgrid_platform.auth import JwksCache, TokenVerifier
from civicgrid_platform.http import PROBLEM_MEDIA_TYPE
from libs.platform.tests.unit.http_support import (
    AUDIENCE,
    ISSUER,
    JwksEndpoint,
    asgi_client,
    bearer,
    build_app,
    rsa_key,
    token,
)

PROBLEMS = "https://civicgrid.dev/problems/"


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["type"] == PROBLEMS + slug
    assert body["status"] == status
    assert body["title"]
    assert body["instance"] == response.request.url.path
    return body


async def test_unknown_route_is_a_404_problem() -> None:
    async with asgi_client(build_app()) as client:
        assert_problem(await client.get("/nowhere"), 404, "not-found")


async def test_wrong_method_is_a_405_problem_that_lists_the_allowed_ones() -> None:
    async with asgi_client(build_app()) as client:
        response = await client.delete("/widgets/1")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET"


async def test_validation_error_names_every_field_and_the_first_in_detail() -> None:
    async with asgi_client(build_app()) as client:
        response = await client.post("/widgets", json={"name": "", "phone": "call me"})
    body = assert_problem(response, 422, "validation-failed")
    fields = [error["field"] for error in body["errors"]]
    assert fields == ["body.name", "body.phone"]
    assert body["detail"].startswith("body.name: ")
    assert all(error["message"] for error in body["errors"])


async def test_missing_field_is_named() -> None:
    async with asgi_client(build_app()) as client:
        response = await client.post("/widgets", json={"name": "Ada"})
    body = assert_problem(response, 422, "validation-failed")
    assert body["errors"] == [{"field": "body.phone", "message": "Field required"}]


@pytest.mark.parametrize("payload", [b'{"name": "Ada", ', b"\xff\xfe", b"[1, 2"])
async def test_malformed_json_is_a_400_problem_never_a_500(payload: bytes) -> None:
    async with asgi_client(build_app()) as client:
        response = await client.post(
            "/widgets", content=payload, headers={"content-type": "application/json"}
        )
    assert response.status_code in (400, 422)
    body = assert_problem(response, response.status_code, response.json()["type"].split("/")[-1])
    assert body["errors"][0]["field"] == "body"


async def test_domain_errors_map_through_the_table_by_mro() -> None:
    async with asgi_client(build_app()) as client:
        missing = await client.get("/widgets/missing")  # subclass without its own entry
        invalid = await client.get("/widgets/invalid")  # subclass with its own entry
        busy = await client.get("/widgets/busy")
    body = assert_problem(missing, 409, "conflict")
    assert body["detail"] == "no such widget"
    assert body["errors"] == [{"field": "path.widget_id", "message": "no such widget"}]
    assert_problem(invalid, 422, "invalid-input")
    assert_problem(busy, 429, "too-many-attempts")
    assert busy.headers["retry-after"] == "7"


async def test_http_exception_keeps_its_status_and_detail() -> None:
    async with asgi_client(build_app()) as client:
        body = assert_problem(await client.get("/widgets/gone"), 410, "gone")
    assert body["detail"] == "this widget left"


async def test_unexpected_exception_is_a_bare_500_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="civicgrid_platform.http.middleware"):
        async with asgi_client(build_app()) as client:
            response = await client.get("/widgets/boom")
    assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    [record] = caplog.records
    assert record.exc_info is not None and "hunter2" in str(record.exc_info[1])


async def test_missing_token_is_401_with_a_bearer_challenge() -> None:
    async with asgi_client(build_app()) as client:
        response = await client.get("/me")
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == 'Bearer realm="testsvc"'


async def test_refused_token_is_401_saying_the_token_is_invalid() -> None:
    async with asgi_client(build_app()) as client:
        response = await client.get("/me", headers={"Authorization": "Bearer not.a.token"})
    body = assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == (
        'Bearer realm="testsvc", error="invalid_token", error_description="malformed token"'
    )
    assert body["detail"] == "malformed token"


async def test_key_set_outage_is_503_not_401() -> None:
    endpoint = JwksEndpoint(rsa_key())
    endpoint.status = 502  # identity is down before this replica ever loaded the keys
    async with endpoint.client() as http:
        jwks = JwksCache("https://identity.test/jwks", http_client=http)
        app = build_app(token_verifier=TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE))
        async with asgi_client(app) as client:
            response = await client.get("/me", headers=bearer(token()))
    assert_problem(response, 503, "auth-unavailable")
    assert response.headers["retry-after"] == "5"


async def test_body_over_the_limit_is_413_by_content_length() -> None:
    async with asgi_client(build_app(max_body_bytes=1000)) as client:
        small = await client.post("/echo-size", content=b"x" * 1000)
        large = await client.post("/echo-size", content=b"x" * 1001)
    assert small.json() == {"size": 1000}
    assert_problem(large, 413, "content-too-large")


async def test_streamed_body_over_the_limit_is_413_without_content_length() -> None:
    async def chunks():
        for _ in range(10):
            yield b"x" * 300

    async with asgi_client(build_app(max_body_bytes=1000)) as client:
        response = await client.post("/echo-size", content=chunks())
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "content-too-large")


async def test_default_body_limit_is_one_mebibyte() -> None:
    async with asgi_client(build_app()) as client:
        at_limit = await client.post("/echo-size", content=b"x" * (1024 * 1024))
        over = await client.post("/echo-size", content=b"x" * (1024 * 1024 + 1))
    assert at_limit.status_code == 200
    assert over.status_code == 413


def test_openapi_is_3_1_and_documents_problems_instead_of_fastapi_422() -> None:
    schema = build_app().openapi()
    assert schema["openapi"].startswith("3.1")
    assert "Problem" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    responses = schema["paths"]["/widgets"]["post"]["responses"]
    assert responses["4XX"]["content"][PROBLEM_MEDIA_TYPE]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "/healthz" not in schema["paths"]


def test_error_table_may_not_swallow_everything() -> None:
    with pytest.raises(ValueError):
        build_app(error_table={Exception: None})
