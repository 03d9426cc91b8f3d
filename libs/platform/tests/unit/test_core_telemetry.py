from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from civicgrid_platform.http.request_telemetry import WITHOUT_NATIVE_TELEMETRY
from civicgrid_platform.telemetry import configure_telemetry, instrument_fastapi


async def test_requests_produce_server_spans_and_prometheus_metrics() -> None:
    spans = InMemorySpanExporter()
    configure_telemetry("telemetry-test", extra_processors=(SimpleSpanProcessor(spans),))
    app = FastAPI(telemetry=WITHOUT_NATIVE_TELEMETRY)  # as the platform's create_app makes it

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {}

    instrument_fastapi(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        assert (await client.get("/things/7", headers={"traceparent": incoming})).status_code == 200
        metrics = await client.get("/metrics")
        assert (await client.get("/healthz")).status_code == 200
        with pytest.raises(RuntimeError):  # a bare app re-raises; the span still records it
            await client.get("/broken")

    server_spans = [s for s in spans.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
    assert [s.name for s in server_spans] == ["GET /things/{thing_id}", "GET /broken"]
    assert (server_spans[0].attributes or {}).get("http.route") == "/things/{thing_id}"
    assert server_spans[1].status.status_code == trace.StatusCode.ERROR
    assert server_spans[1].events and server_spans[1].events[0].name == "exception"
    # The caller's W3C trace context is continued, not replaced.
    assert format(server_spans[0].context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert metrics.status_code == 200
    # Labelled by the route template, not the raw path, so cardinality stays bounded.
    assert "http_server_duration_milliseconds_count{" in metrics.text
    assert 'http_target="/things/{thing_id}"' in metrics.text
