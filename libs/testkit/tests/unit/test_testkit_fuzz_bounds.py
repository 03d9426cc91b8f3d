"""The fuzz kit reads OpenAPI documents as 3.0: FastAPI's 3.1 exclusive bounds become 3.0 flags."""

from __future__ import annotations

from civicgrid_testkit.fuzz import bounds_as_openapi_30


def test_testkit_exclusive_bounds_become_openapi_30_flags_at_any_depth() -> None:
    document = {
        "components": {
            "schemas": {
                "Policy": {
                    "properties": {
                        "radius_m": {"type": "number", "exclusiveMinimum": 0, "maximum": 50000},
                        "share": {"anyOf": [{"type": "number", "exclusiveMaximum": 1.5}]},
                        "flag_already": {"type": "number", "minimum": 1, "exclusiveMinimum": True},
                    }
                }
            }
        }
    }
    properties = bounds_as_openapi_30(document)["components"]["schemas"]["Policy"]["properties"]
    assert properties["radius_m"] == {
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 50000,
    }
    assert properties["share"]["anyOf"][0] == {
        "type": "number",
        "maximum": 1.5,
        "exclusiveMaximum": True,
    }
    assert properties["flag_already"] == {"type": "number", "minimum": 1, "exclusiveMinimum": True}
