"""Every rendered object is valid for Kubernetes 1.30 and 1.33 (kubernetes-validate, strict:
unknown fields are errors). Custom resources (ServiceMonitor, PodMonitor, KafkaTopic) have no
schema there; their shape is asserted in test_charts_workloads.py and test_charts_topics.py."""

from __future__ import annotations

from collections.abc import Callable

import chartkit
import kubernetes_validate
import pytest

CUSTOM = {"monitoring.coreos.com/v1", "kafka.strimzi.io/v1beta2"}


@pytest.mark.parametrize("kube_version", chartkit.KUBE_VERSIONS)
@pytest.mark.parametrize("case", ["default", *chartkit.EXAMPLES])
def test_charts_valid_for_kubernetes(
    render_umbrella: Callable[[str, str], str], case: str, kube_version: str
) -> None:
    errors = []
    checked = 0
    for doc in chartkit.documents(render_umbrella(case, kube_version)):
        if doc["apiVersion"] in CUSTOM:
            continue
        try:
            kubernetes_validate.validate(doc, kube_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {error.message}")
        checked += 1
    assert checked > 20
    assert not errors, "\n".join(errors)
