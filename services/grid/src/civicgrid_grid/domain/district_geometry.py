"""The spatial rules of a district import, in metres, vectorised so 100k grids take seconds.

- every polygon is valid (shapely's reason is quoted) and every coordinate is lon/lat;
- every street, community, grid and compound lies inside its parent, every building in its grid
  or compound, give or take tolerance_m;
- streets, communities and grids do not overlap others of their kind; shared edges are fine;
- the grids of a community cover it, with no gap.

"Give or take tolerance_m": a piece of overlap or gap counts only when it is larger than
tolerance_m squared AND wider than tolerance_m somewhere (it survives shrinking by half the
tolerance), so the hairline slivers real survey data always has do not reject an import, while
a 1 m wide gap along a whole street does. Overlaps are found without pairwise loops: GEOS's
coverage validator flags the few polygons whose edges do not match their neighbours', and only
those are intersected with what an STRtree says they touch. Gaps are found from area sums
(a community whose grids' areas add up to its own, none overlapping or sticking out, has no gap)
and unioned only where the sums disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from civicgrid_grid.domain.district_rules import Hierarchy
from civicgrid_grid.domain.import_problems import ImportProblem
from civicgrid_grid.domain.projection import LocalProjection
from civicgrid_grid.domain.units import PARTITION_KINDS, UnitKind, UnitSpec

Objects = npt.NDArray[np.object_]


class _Checker:
    def __init__(
        self,
        specs: Sequence[UnitSpec],
        feature_ids: Sequence[int],
        hierarchy: Hierarchy,
        tolerance_m: float,
    ) -> None:
        self.specs = list(specs)
        self.fids = list(feature_ids)
        self.parent = np.asarray(hierarchy.parent, dtype=np.int64)
        self.tol = tolerance_m
        self.problems: list[ImportProblem] = []
        self.suspect: set[int] = set()  # communities whose gap check must not trust area sums
        n = len(specs)
        self.kinds = np.array([str(s.kind) for s in specs], dtype=object)
        self.ok = np.array(hierarchy.shaped, dtype=bool)
        self.lonlat: Objects = np.full(n, None, dtype=object)
        self.metres: Objects = np.full(n, None, dtype=object)
        self.proj = LocalProjection.around(0.0, 0.0)

    def add(self, i: int | np.integer, reason: str) -> None:
        self.problems.append(ImportProblem(self.fids[i], self.specs[i].code, reason, "geometry"))

    def where(self, piece: BaseGeometry) -> str:
        lon, lat = self.proj.lonlat(*shapely.get_coordinates(shapely.point_on_surface(piece))[0])
        return f"around ({lon:.6f}, {lat:.6f})"

    def run(self) -> list[ImportProblem]:
        self.check_shapes()
        self.check_containment()
        for kind in PARTITION_KINDS:
            self.check_overlaps(kind)
        self.check_coverage(UnitKind.COMMUNITY, UnitKind.GRID)
        return self.problems

    def check_shapes(self) -> None:
        idx = np.flatnonzero(self.ok)
        geoms = np.array([self.specs[i].geometry for i in idx], dtype=object)
        if not len(idx):
            return
        b = shapely.bounds(geoms)
        in_range = (b[:, 0] >= -180) & (b[:, 2] <= 180) & (b[:, 1] >= -90) & (b[:, 3] <= 90)
        valid = shapely.is_valid(geoms)
        for k in np.flatnonzero(~in_range):
            self.add(
                idx[k],
                "coordinates are not WGS84 longitude/latitude (longitude must lie in "
                "[-180, 180], latitude in [-90, 90], longitude first)",
            )
        for k in np.flatnonzero(in_range & ~valid):
            reason = shapely.is_valid_reason(geoms[k])
            self.add(idx[k], f"invalid {geoms[k].geom_type}: {reason}")
        good = in_range & valid
        self.ok[idx[~good]] = False
        idx, geoms = idx[good], geoms[good]
        self.lonlat[idx] = geoms
        districts = [k for k, i in enumerate(idx) if self.kinds[i] == UnitKind.DISTRICT]
        anchor = geoms[districts[0]] if districts else geoms
        self.proj = LocalProjection.for_bounds(shapely.total_bounds(anchor))
        # Points (buildings, the bulk of a district) are only ever needed in metres when they
        # fail a containment test, which is decided in lon/lat: covers() is affine-invariant.
        areal = shapely.get_type_id(geoms) != 0
        self.metres[idx[areal]] = self.proj.to_metres(geoms[areal])

    def in_metres(self, i: int | np.integer) -> BaseGeometry:
        if self.metres[i] is None:
            self.metres[i] = self.proj.to_metres(self.lonlat[i])
        return self.metres[i]

    def check_containment(self) -> None:
        child = np.flatnonzero(self.ok & (self.parent >= 0))
        child = child[self.ok[self.parent[child]]]
        if not len(child):
            return
        parent = self.parent[child]
        shapely.prepare(self.lonlat[np.unique(parent)])
        inside = shapely.covers(self.lonlat[parent], self.lonlat[child])
        child, parent = child[~inside], parent[~inside]
        if not len(child):
            return
        # Only parents with a child poking out get buffered: the tolerance band is what
        # "inside, give or take tolerance_m" means, and buffering every parent would cost more
        # than every other check together.
        grown = {p: shapely.buffer(self.metres[p], self.tol) for p in np.unique(parent)}
        shapely.prepare(list(grown.values()))
        for c, p in zip(child, parent, strict=True):
            mine = self.in_metres(c)
            if grown[p].covers(mine):
                continue
            corners = shapely.points(shapely.get_coordinates(mine))
            reach = float(shapely.distance(self.metres[p], corners).max())
            outside = mine.difference(self.metres[p])
            self.add(
                c,
                f"{self.kinds[c]} {self.specs[c].code} is not inside its {self.kinds[p]} "
                f"{self.specs[p].code}: it reaches {reach:.1f} m outside, {self.where(outside)}",
            )
            for i in (c, p):
                if self.kinds[i] == UnitKind.COMMUNITY:
                    self.suspect.add(int(i))
                elif self.kinds[i] == UnitKind.GRID and self.parent[i] >= 0:
                    self.suspect.add(int(self.parent[i]))

    def check_overlaps(self, kind: UnitKind) -> None:
        idx = np.flatnonzero(self.ok & (self.kinds == kind))
        if len(idx) < 2:
            return
        geoms = self.metres[idx]
        flagged = ~shapely.is_empty(shapely.coverage_invalid_edges(geoms))
        if not flagged.any():
            return
        tree = shapely.STRtree(geoms)
        hits = tree.query(geoms[flagged], predicate="intersects")
        a = np.flatnonzero(flagged)[hits[0]]
        b = hits[1]
        pairs = np.unique(np.sort(np.stack([a, b], axis=1)[a != b], axis=1), axis=0)
        # Keep the pairs whose interiors meet (most flagged pairs only touch along edges noded
        # differently), then measure what they share: three times cheaper than intersecting all.
        pairs = pairs[shapely.relate_pattern(geoms[pairs[:, 0]], geoms[pairs[:, 1]], "T********")]
        if not len(pairs):
            return
        shared = shapely.intersection(geoms[pairs[:, 0]], geoms[pairs[:, 1]])
        big = shapely.area(shared) > self.tol**2
        for (ka, kb), piece in zip(pairs[big], shared[big], strict=True):
            area = self.significant_area(piece)
            if area is None:
                continue
            first, second = idx[ka], idx[kb]
            self.add(
                second,
                f"{kind} {self.specs[second].code} overlaps {kind} {self.specs[first].code} "
                f"(feature {self.fids[first]}) by {area:.1f} m², {self.where(piece)}",
            )
            for i in (first, second):
                if kind == UnitKind.GRID and self.parent[i] >= 0:
                    self.suspect.add(int(self.parent[i]))

    def check_coverage(self, parent_kind: UnitKind, child_kind: UnitKind) -> None:
        parents = np.flatnonzero(self.ok & (self.kinds == parent_kind))
        if not len(parents):
            return
        children = np.flatnonzero(self.ok & (self.kinds == child_kind) & (self.parent >= 0))
        covered = np.bincount(
            self.parent[children],
            weights=shapely.area(self.metres[children]),
            minlength=len(self.specs),
        )
        counts = np.bincount(self.parent[children], minlength=len(self.specs))
        owed = shapely.area(self.metres[parents])
        # Any child that is invalid or misplaced makes the sums meaningless: check those exactly.
        broken = np.zeros(len(self.specs), dtype=bool)
        broken[self.parent[(self.kinds == child_kind) & ~self.ok & (self.parent >= 0)]] = True
        for k, p in enumerate(parents):
            if counts[p] == 0 and not broken[p]:
                self.add(p, f"{parent_kind} {self.specs[p].code} has no {child_kind}s covering it")
                continue
            exact = abs(owed[k] - covered[p]) <= self.tol**2
            if exact and int(p) not in self.suspect:
                continue
            mine = self.metres[children[self.parent[children] == p]]
            gap = self.metres[p].difference(shapely.union_all(mine))
            for piece in shapely.get_parts(gap):
                area = self.significant_area(piece)
                if area is not None:
                    self.add(
                        p,
                        f"{parent_kind} {self.specs[p].code} is not covered by its "
                        f"{child_kind}s: a gap of {area:.1f} m², {self.where(piece)}",
                    )

    def significant_area(self, piece: BaseGeometry) -> float | None:
        """The area of the polygonal part of piece, if it matters at this tolerance."""
        parts = shapely.get_parts(piece)
        parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        areas = shapely.area(parts)
        big = areas > self.tol**2
        if not big.any():
            return None
        wide = ~shapely.is_empty(shapely.buffer(parts[big], -self.tol / 2))
        if not wide.any():
            return None
        return float(areas[big][wide].sum())


def check_geometry(
    specs: Sequence[UnitSpec],
    feature_ids: Sequence[int],
    hierarchy: Hierarchy,
    tolerance_m: float,
) -> list[ImportProblem]:
    return _Checker(specs, feature_ids, hierarchy, tolerance_m).run()
