"""A district as a GeoJSON FeatureCollection: read it, check it, write it back.

Each Feature is one unit. properties: kind, code, parent_code (null for the district), name,
address (optional text), attributes (optional object); geometry: WGS84 lon/lat, a Polygon or
MultiPolygon for areas, a Point or footprint for a building, null for units and households.

parse_feature_collection reads the document and refuses it, naming every malformed feature,
when it cannot be read; validate_district checks the units against each other and the map.
import_district does both in one pass so a person sees every defect of both kinds at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from civicgrid_grid.domain.district_geometry import check_geometry
from civicgrid_grid.domain.district_rules import check_hierarchy
from civicgrid_grid.domain.geojson_geometry import GeometryReader, to_geojson_geometry
from civicgrid_grid.domain.import_problems import ImportProblem, ImportRejected, sort_problems
from civicgrid_grid.domain.units import UnitKind, UnitSpec
from civicgrid_platform.collector import collector_paused

__all__ = [
    "ImportProblem",
    "ImportRejected",
    "import_district",
    "parse_feature_collection",
    "read_feature_collection",
    "to_feature_collection",
    "validate_district",
]

_KINDS = {k.value: k for k in UnitKind}


def parse_feature_collection(doc: Any) -> list[UnitSpec]:
    """The units a FeatureCollection describes, one per feature, in feature order.

    Raises ImportRejected listing every feature that cannot be read.
    """
    specs, _, problems, _ = read_feature_collection(doc)
    if problems:
        raise ImportRejected(problems)
    return specs


def validate_district(
    specs: Sequence[UnitSpec], *, tolerance_m: float = 0.5
) -> list[ImportProblem]:
    """Every problem with a whole district's units; [] means it can be imported as is.

    ImportProblem.feature is the spec's position, which is its feature index when the specs
    came from parse_feature_collection.
    """
    return _validate(specs, range(len(specs)), tolerance_m, frozenset())


def import_district(doc: Any, *, tolerance_m: float = 0.5) -> list[UnitSpec]:
    """Read and validate in one pass; raises ImportRejected with every problem of both kinds."""
    specs, feature_ids, problems, rejected_codes = read_feature_collection(doc)
    if problems and all(p.feature is None for p in problems):
        raise ImportRejected(problems)  # the document itself is unreadable: nothing to check
    problems += _validate(specs, feature_ids, tolerance_m, rejected_codes)
    if problems:
        raise ImportRejected(problems)
    return specs


def read_feature_collection(
    doc: Any,
) -> tuple[list[UnitSpec], list[int], list[ImportProblem], frozenset[str]]:
    """Lenient read: (specs, their feature indices, problems, codes of unreadable features)."""
    with collector_paused():
        return _read(doc)


def _read(doc: Any) -> tuple[list[UnitSpec], list[int], list[ImportProblem], frozenset[str]]:
    if isinstance(doc, str | bytes):
        try:
            doc = json.loads(doc)
        except ValueError as exc:
            return [], [], [ImportProblem(None, None, f"not JSON: {exc}")], frozenset()
    if not isinstance(doc, Mapping) or doc.get("type") != "FeatureCollection":
        problem = ImportProblem(None, None, "not a GeoJSON FeatureCollection", "type")
        return [], [], [problem], frozenset()
    features = doc.get("features")
    if not isinstance(features, list):
        problem = ImportProblem(None, None, "features must be a list of Features", "features")
        return [], [], [problem], frozenset()

    problems: list[ImportProblem] = []
    reader = GeometryReader()
    rows: list[tuple[int, *Row]] = []
    rejected: set[str] = set()
    for fid, feature in enumerate(features):
        found = _read_properties(fid, feature)
        if isinstance(found, list):
            problems += found
            props = feature.get("properties") if isinstance(feature, Mapping) else None
            code = props.get("code") if isinstance(props, Mapping) else None
            if isinstance(code, str):
                rejected.add(code)
            continue
        code, kind, parent_code, name, address, attributes = found
        geometry = feature.get("geometry")
        if geometry is not None and (reason := reader.add(len(rows), geometry)):
            problems.append(ImportProblem(fid, code, reason, "geometry"))
            rejected.add(code)
            continue
        rows.append((fid, code, kind, parent_code, name, address, attributes))

    geometries = reader.build(len(rows))
    specs = [
        UnitSpec(code, kind, parent_code, name, geometries[n], address, attributes)
        for n, (_, code, kind, parent_code, name, address, attributes) in enumerate(rows)
    ]
    return specs, [row[0] for row in rows], problems, frozenset(rejected)


def to_feature_collection(specs: Sequence[UnitSpec]) -> dict[str, Any]:
    """The FeatureCollection parse_feature_collection reads back into equal specs."""
    features = []
    for spec in specs:
        properties: dict[str, Any] = {
            "kind": str(spec.kind),
            "code": spec.code,
            "parent_code": spec.parent_code,
            "name": spec.name,
        }
        if spec.address is not None:
            properties["address"] = spec.address
        if spec.attributes:
            properties["attributes"] = dict(spec.attributes)
        features.append(
            {
                "type": "Feature",
                "geometry": to_geojson_geometry(spec.geometry),
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


Row = tuple[str, UnitKind, str | None, str, str | None, Mapping[str, Any]]
_NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})


def _read_properties(fid: int, feature: Any) -> Row | list[ImportProblem]:
    # The common case, plain JSON that is right, in a handful of dict lookups.
    if type(feature) is dict and feature.get("type") == "Feature":
        props = feature.get("properties")
        if type(props) is dict:
            code, kind, name = props.get("code"), props.get("kind"), props.get("name")
            parent, address = props.get("parent_code"), props.get("address")
            attributes = props.get("attributes")
            if (
                type(code) is str
                and code
                and type(kind) is str
                and kind in _KINDS
                and type(name) is str
                and name.strip()
                and (parent is None or type(parent) is str)
                and (address is None or type(address) is str)
                and (attributes is None or type(attributes) is dict)
            ):
                return (
                    code,
                    _KINDS[kind],
                    parent or None,
                    name,
                    address,
                    attributes or _NO_ATTRIBUTES,
                )
    return _explain_properties(fid, feature)


def _explain_properties(fid: int, feature: Any) -> Row | list[ImportProblem]:
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        return [ImportProblem(fid, None, "not a GeoJSON Feature", "type")]
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        return [ImportProblem(fid, None, "a Feature needs a properties object", "properties")]
    code = props.get("code")
    code = code if isinstance(code, str) else None
    problems: list[ImportProblem] = []

    def bad(reason: str, field: str) -> None:
        problems.append(ImportProblem(fid, code or None, reason, field))

    raw_kind = props.get("kind")
    kind = _KINDS.get(raw_kind) if isinstance(raw_kind, str) else None
    if raw_kind is None:
        bad("missing kind", "kind")
    elif kind is None:
        bad(f"unknown kind {raw_kind!r} (expected one of {', '.join(_KINDS)})", "kind")
    if not code:
        bad("missing code", "code")
    name = props.get("name")
    if not isinstance(name, str) or not name.strip():
        bad("missing name", "name")
    parent_code = props.get("parent_code")
    if parent_code is not None and not isinstance(parent_code, str):
        bad("parent_code must be text or null", "parent_code")
    address = props.get("address")
    if address is not None and not isinstance(address, str):
        bad("address must be text", "address")
    attributes = props.get("attributes")
    if attributes is None:
        attributes = _NO_ATTRIBUTES
    elif not isinstance(attributes, Mapping):
        bad("attributes must be an object", "attributes")
    if problems or kind is None or not code:
        return problems
    assert isinstance(name, str)
    return code, kind, parent_code or None, name, address, attributes


def _validate(
    specs: Sequence[UnitSpec],
    feature_ids: Sequence[int],
    tolerance_m: float,
    rejected_codes: frozenset[str],
) -> list[ImportProblem]:
    if not tolerance_m >= 0:
        raise ValueError("tolerance_m must be a non-negative number of metres")
    feature_ids = list(feature_ids)
    hierarchy = check_hierarchy(specs, feature_ids, rejected_codes)
    problems = hierarchy.problems + check_geometry(specs, feature_ids, hierarchy, tolerance_m)
    return sort_problems(problems)
