"""OpenTelemetry traces and metrics for one process.

Traces go to an OTLP collector when one is configured; metrics are always readable at /metrics
(Prometheus) so a ServiceMonitor can scrape them without a collector.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

if TYPE_CHECKING:
    from fastapi import APIRouter


class WhileExporting(Sampler):
    """Records spans (parent-based, always on) only once some processor receives them.

    A span nobody exports still cost a consumer a tenth of its time (py-spy, `make bench`);
    a dropped span keeps its trace and span ids, so logs still carry them.
    """

    def __init__(self) -> None:
        self.exporting = False
        self._recording = ParentBased(ALWAYS_ON)

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if not self.exporting:
            return SamplingResult(Decision.DROP)
        return self._recording.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return "WhileExporting"


@dataclass
class Telemetry:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    sampler: WhileExporting

    def add_span_processor(self, processor: SpanProcessor) -> None:
        self.tracer_provider.add_span_processor(processor)
        self.sampler.exporting = True

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
            _installed.add_span_processor(processor)
        return _installed
    resource = Resource.create(
        {"service.name": f"civicgrid-{service}", "service.instance.id": instance_id or service}
    )
    sampler = WhileExporting()
    tracer_provider = TracerProvider(resource=resource, sampler=sampler)
    meter_provider = MeterProvider(resource=resource, metric_readers=[PrometheusMetricReader()])
    installed = Telemetry(tracer_provider, meter_provider, sampler)
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        installed.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint, insecure=True))
        )
    for processor in extra_processors:
        installed.add_span_processor(processor)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    _installed = installed
    return _installed


def instrument_sqlalchemy(engine: object) -> None:
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    sync_engine = getattr(engine, "sync_engine", engine)
    SQLAlchemyInstrumentor().instrument(engine=sync_engine, enable_commenter=False)


def metrics_router() -> APIRouter:
    """`GET /metrics`: what the PrometheusMetricReader collects, in Prometheus' text format.
    The HTTP app and the ops endpoint (ops.py) both serve it."""
    from fastapi import APIRouter, Response
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def instrument_fastapi(app: object) -> None:
    """Server spans for every route and a Prometheus /metrics endpoint on the same app."""
    from fastapi import FastAPI

    from civicgrid_platform.http.request_telemetry import RequestTelemetry

    assert isinstance(app, FastAPI)
    app.add_middleware(RequestTelemetry, excluded_paths=("/healthz", "/readyz", "/metrics"))
    app.include_router(metrics_router())
