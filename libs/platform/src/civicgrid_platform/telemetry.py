"""OpenTelemetry traces and metrics for one process.

Traces go to an OTLP collector when one is configured; metrics are always readable at /metrics
(Prometheus) so a ServiceMonitor can scrape them without a collector.
"""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry import metrics, trace
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


@dataclass
class Telemetry:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


_installed: Telemetry | None = None


def configure_telemetry(
    service: str,
    *,
    otlp_endpoint: str = "",
    instance_id: str = "",
    extra_processors: tuple[SpanProcessor, ...] = (),
) -> Telemetry:
    """Install the global tracer and meter providers once per process (OTel allows only one)."""
    global _installed
    if _installed is not None:
        for processor in extra_processors:
            _installed.tracer_provider.add_span_processor(processor)
        return _installed
    resource = Resource.create(
        {"service.name": f"civicgrid-{service}", "service.instance.id": instance_id or service}
    )
    tracer_provider = TracerProvider(resource=resource)
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        tracer_provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint, insecure=True))
        )
    for processor in extra_processors:
        tracer_provider.add_span_processor(processor)
    trace.set_tracer_provider(tracer_provider)
    meter_provider = MeterProvider(resource=resource, metric_readers=[PrometheusMetricReader()])
    metrics.set_meter_provider(meter_provider)
    _installed = Telemetry(tracer_provider, meter_provider)
    return _installed


def instrument_sqlalchemy(engine: object) -> None:
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    sync_engine = getattr(engine, "sync_engine", engine)
    SQLAlchemyInstrumentor().instrument(engine=sync_engine, enable_commenter=False)


def instrument_fastapi(app: object) -> None:
    """Server spans for every route and a Prometheus /metrics endpoint on the same app."""
    from fastapi import FastAPI, Response
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from civicgrid_platform.http.request_telemetry import RequestTelemetry

    assert isinstance(app, FastAPI)
    app.add_middleware(RequestTelemetry, excluded_paths=("/healthz", "/readyz", "/metrics"))

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
