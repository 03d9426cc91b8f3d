from __future__ import annotations

import grpc
import pytest
from pydantic import ValidationError

from civicgrid_platform.errors import (
    AlreadyExists,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    mapping_for,
)
from civicgrid_platform.settings import DEV_SECRET, PlatformSettings


def test_dev_secret_is_accepted_only_in_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    assert PlatformSettings(environment="dev").secret_key.get_secret_value() == DEV_SECRET
    with pytest.raises(ValidationError, match="CIVICGRID_SECRET_KEY must be set"):
        PlatformSettings(environment="production")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        PlatformSettings(environment="staging", secret_key="short-but-not-the-dev-one")
    monkeypatch.setenv("CIVICGRID_ENVIRONMENT", "production")
    monkeypatch.setenv("CIVICGRID_SECRET_KEY", "x" * 40)
    assert PlatformSettings().environment == "production"


def test_settings_read_the_civicgrid_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRID_HTTP_PORT", "9123")
    monkeypatch.setenv("CIVICGRID_KAFKA_BOOTSTRAP", "10.0.0.1:9092")
    settings = PlatformSettings()
    assert (settings.http_port, settings.kafka_bootstrap) == (9123, "10.0.0.1:9092")
    monkeypatch.setenv("CIVICGRID_HTTP_PORT", "not-a-port")
    with pytest.raises(ValidationError):
        PlatformSettings()


class PersonNotFound(NotFound):
    pass


def test_one_table_maps_each_error_to_http_and_grpc_and_subclasses_inherit() -> None:
    assert (mapping_for(NotFound("x")).status, mapping_for(NotFound("x")).grpc_code) == (
        404,
        grpc.StatusCode.NOT_FOUND,
    )
    assert mapping_for(PersonNotFound("x")) == mapping_for(NotFound("x"))
    assert (
        mapping_for(InvalidInput("x", field="phone")).grpc_code == grpc.StatusCode.INVALID_ARGUMENT
    )
    assert mapping_for(AlreadyExists("x")).status == 409
    assert mapping_for(TooManyAttempts("x", retry_after_seconds=3)).status == 429
    assert mapping_for(ValueError("not ours")) is None
