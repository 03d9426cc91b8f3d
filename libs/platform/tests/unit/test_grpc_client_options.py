"""The channel options every platform gRPC client gets."""

from __future__ import annotations

import json

from civicgrid_platform.grpc.client import channel_options


def test_grpc_channels_balance_round_robin_and_retry_unavailable() -> None:
    options = dict(channel_options())
    config = json.loads(options["grpc.service_config"])
    # pick_first (gRPC's default) would pin each client to one pod of a headless Service.
    assert config["loadBalancingConfig"] == [{"round_robin": {}}]
    (method,) = config["methodConfig"]
    assert method["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert options["grpc.enable_retries"] == 1
