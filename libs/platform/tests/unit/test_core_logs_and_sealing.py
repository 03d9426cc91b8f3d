from __future__ import annotations

import json
import logging

import pytest
from cryptography.exceptions import InvalidTag
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from civicgrid_platform.logs import JsonFormatter, current_tenant
from civicgrid_platform.sealing import Sealer


def _format(record_args: dict[str, object] | None = None) -> dict[str, object]:
    record = logging.LogRecord(
        "civicgrid.test", logging.INFO, __file__, 1, "hello %s", ("world",), None
    )
    for key, value in (record_args or {}).items():
        setattr(record, key, value)
    return json.loads(JsonFormatter("identity").format(record))


def test_log_lines_are_json_with_service_tenant_trace_and_extras() -> None:
    token = current_tenant.set("5b0e7c6e-0000-4000-8000-000000000001")
    tracer = TracerProvider().get_tracer("test")
    try:
        with tracer.start_as_current_span("work") as span:
            line = _format({"component": "relay"})
            ctx = span.get_span_context()
    finally:
        current_tenant.reset(token)
    assert line["message"] == "hello world" and line["service"] == "identity"
    assert line["tenant_id"] == "5b0e7c6e-0000-4000-8000-000000000001"
    assert line["trace_id"] == format(ctx.trace_id, "032x")
    assert line["span_id"] == format(ctx.span_id, "016x")
    assert line["component"] == "relay"


def test_log_lines_outside_a_span_or_tenant_omit_those_fields() -> None:
    assert trace.get_current_span().get_span_context().is_valid is False
    line = _format()
    assert "tenant_id" not in line and "trace_id" not in line


def test_sealed_secrets_round_trip_and_refuse_tampering_or_another_purpose() -> None:
    sealer = Sealer("service-secret", "devices")
    sealed = sealer.seal(b"device-secret")
    assert b"device-secret" not in sealed
    assert sealer.seal(b"device-secret") != sealed  # fresh nonce each time
    assert sealer.unseal(sealed) == b"device-secret"
    with pytest.raises(InvalidTag):
        sealer.unseal(sealed[:-1] + bytes([sealed[-1] ^ 1]))
    with pytest.raises(InvalidTag):
        Sealer("service-secret", "signing-keys").unseal(sealed)
    with pytest.raises(InvalidTag):
        Sealer("other-secret", "devices").unseal(sealed)
