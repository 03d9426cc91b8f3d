from __future__ import annotations

import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from civicgrid_platform.telemetry import configure_telemetry, instrument_fastapi


async def test_requests_produce_server_spans_and_prometheus_metrics() -> None:
    spans = InMemorySpanExporter()
    configure_telemetry("telemetry-test", extra_processors=(SimpleSpanProcessor(spans),))
    app = FastAPI()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    instrument_fastapi(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        assert (await client.get("/things/7", headers={"traceparent": incoming})).status_code == 200
        metrics = await client.get("/metrics")

    server_spans = [s for s in spans.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
    assert server_spans, "no server span recorded"
    # The caller's W3C trace context is continued, not replaced.
    assert format(server_spans[0].context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert metrics.status_code == 200
    # Labelled by the route template, not the raw path, so cardinality stays bounded.
    assert "http_server_duration_milliseconds_count{" in metrics.text
    assert 'http_target="/things/{thing_id}"' in metrics.text
