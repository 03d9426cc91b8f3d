"""The non-spatial rules of a district import: kinds, names, codes, parents, geometry presence.

Every rule is checked for every unit and every breach is recorded, so one round trip tells the
person preparing the data everything that is wrong, not just the first thing. The loop is kept
lean (it runs once per unit, up to a million times) and geometry types are checked vectorised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import shapely

from civicgrid_grid.domain.codes import validate_code
from civicgrid_grid.domain.import_problems import ImportProblem
from civicgrid_grid.domain.units import ALLOWED_PARENT, GEOMETRY_TYPES, UnitKind, UnitSpec

_MAPPINGS = (dict, MappingProxyType)
_TYPE_IDS = {"Point": 0, "Polygon": 3, "MultiPolygon": 6}
_ALLOWED_IDS = {k: [_TYPE_IDS[t] for t in types] for k, types in GEOMETRY_TYPES.items()}


@dataclass
class Hierarchy:
    """What the spatial checks need to know about each spec, by position."""

    parent: list[int]  # index of the spec's parent, -1 when it has none usable
    shaped: list[bool]  # has a geometry of a type its kind accepts (validity not yet known)
    problems: list[ImportProblem] = field(default_factory=list)


def _phrase(kinds: frozenset[UnitKind] | frozenset[str]) -> str:
    return " or ".join(sorted(str(k) for k in kinds))


class _Rules:
    def __init__(
        self, specs: Sequence[UnitSpec], feature_ids: Sequence[int], known: frozenset[str]
    ) -> None:
        self.specs, self.fids, self.known = specs, feature_ids, known
        self.problems: list[ImportProblem] = []
        self.kinds: list[UnitKind | None] = [_kind(s.kind) for s in specs]
        self.first: dict[str, int] = {}

    def add(self, i: int, reason: str, where: str | None) -> None:
        code = self.specs[i].code
        self.problems.append(
            ImportProblem(self.fids[i], code if isinstance(code, str) else None, reason, where)
        )

    def check(self) -> Hierarchy:
        self.codes()
        self.districts()
        parent = [self.parent(i, spec) for i, spec in enumerate(self.specs)]
        for i, spec in enumerate(self.specs):
            kind = self.kinds[i]
            if kind is None:
                self.add(
                    i,
                    f"unknown kind {spec.kind!r} (expected {_phrase(frozenset(UnitKind))})",
                    "kind",
                )
                continue
            if type(spec.name) is not str or not spec.name.strip():
                self.add(i, f"{kind} {spec.code} has no name", "name")
            if spec.address is not None and not isinstance(spec.address, str):
                self.add(i, "address must be text", "address")
            if type(spec.attributes) not in _MAPPINGS and not isinstance(spec.attributes, Mapping):
                self.add(i, "attributes must be an object", "attributes")
        shaped = self.geometry_kinds()
        return Hierarchy(parent=parent, shaped=shaped, problems=self.problems)

    def codes(self) -> None:
        first = self.first
        for i, spec in enumerate(self.specs):
            code = spec.code
            if type(code) is not str or not code:
                self.add(i, "missing code", "code")
                continue
            j = first.setdefault(code, i)
            if j != i:
                self.add(
                    i, f"duplicate code {code} (already used by feature {self.fids[j]})", "code"
                )

    def districts(self) -> None:
        found = [i for i, k in enumerate(self.kinds) if k is UnitKind.DISTRICT]
        if not found:
            self.problems.append(
                ImportProblem(None, None, "no feature of kind district: an import needs one")
            )
        for i in found[1:]:
            self.add(
                i,
                f"a second district (the first is feature {self.fids[found[0]]}); an import "
                "describes exactly one district",
                "kind",
            )

    def parent(self, i: int, spec: UnitSpec) -> int:
        kind = self.kinds[i]
        if kind is None:
            return -1
        parent_code = spec.parent_code
        if kind is UnitKind.DISTRICT:
            if parent_code is not None:
                self.add(i, "a district has no parent, but parent_code is set", "parent_code")
            elif reason := validate_code(kind, spec.code, None):
                self.add(i, reason, "code")
            return -1
        if not parent_code:
            self.add(
                i,
                f"a {kind} needs a parent_code (a {_phrase(ALLOWED_PARENT[kind])})",
                "parent_code",
            )
            return -1
        if reason := validate_code(kind, spec.code, parent_code):
            self.add(i, reason, "code")
        p = self.first.get(parent_code)
        if p is None:
            if parent_code not in self.known:
                self.add(i, f"unknown parent code {parent_code}", "parent_code")
            return -1
        parent_kind = self.kinds[p]
        if parent_kind is None or p == i:
            return -1
        if parent_kind not in ALLOWED_PARENT[kind]:
            self.add(
                i,
                f"a {kind}'s parent must be a {_phrase(ALLOWED_PARENT[kind])}, but {parent_code} "
                f"(feature {self.fids[p]}) is a {parent_kind}",
                "parent_code",
            )
            return -1
        return p

    def geometry_kinds(self) -> list[bool]:
        geoms = np.empty(len(self.specs), dtype=object)
        geoms[:] = [s.geometry for s in self.specs]
        type_ids = shapely.get_type_id(geoms)
        empty = shapely.is_empty(geoms)
        kinds = np.array([str(k) for k in self.kinds], dtype=object)
        shaped = np.zeros(len(self.specs), dtype=bool)
        for kind, allowed in _ALLOWED_IDS.items():
            mine = kinds == str(kind)
            if not allowed:  # units and households: no geometry at all
                for i in np.flatnonzero(mine & (type_ids != -1)).tolist():
                    self.wrong_geometry(i, kind)
                continue
            ok = mine & np.isin(type_ids, allowed)
            shaped |= ok & ~empty
            for i in np.flatnonzero(mine & ~ok).tolist():
                self.wrong_geometry(i, kind)
            for i in np.flatnonzero(ok & empty).tolist():
                self.add(i, f"the {kind}'s {geoms[i].geom_type} is empty", "geometry")
        return shaped.tolist()

    def wrong_geometry(self, i: int, kind: UnitKind) -> None:
        allowed, geometry = GEOMETRY_TYPES[kind], self.specs[i].geometry
        if geometry is None:
            reason = f"a {kind} needs a {_phrase(allowed)} geometry, but has none"
        elif not allowed:
            reason = (
                f"a {kind} has no geometry (it is placed by its building and its address); "
                f"got a {geometry.geom_type}"
            )
        else:
            reason = f"a {kind}'s geometry must be a {_phrase(allowed)}, not a {geometry.geom_type}"
        self.add(i, reason, "geometry")


_KIND_OF: dict[object, UnitKind] = {k.value: k for k in UnitKind}


def _kind(value: object) -> UnitKind | None:
    try:
        return _KIND_OF.get(value)  # a UnitKind hashes and compares as its value
    except TypeError:  # unhashable
        return None


def check_hierarchy(
    specs: Sequence[UnitSpec],
    feature_ids: Sequence[int],
    known_codes: frozenset[str] = frozenset(),
) -> Hierarchy:
    """known_codes: codes of features rejected earlier, so their children are not blamed too."""
    return _Rules(specs, feature_ids, known_codes).check()
