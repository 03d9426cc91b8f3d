"""A believable demo district: streets, communities, grids that tile them, compounds, buildings,
units and households, plus the departments that take escalated work.

Everything is generated in metres around `center` and converted to lon/lat with the same
LocalProjection the registry uses, so the tiling is exact: every tier is the Voronoi diagram of
jittered-lattice seeds clipped to its (convex) parent, which covers the parent with no gap and
no overlap, and validate_district finds nothing to complain about. A grid averages 300 m x 300 m
(90,000 m²), about what a grid leader walks; the district grows with the number of grids.
Deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from civicgrid_grid.domain.geojson_geometry import to_geojson_geometry
from civicgrid_grid.domain.projection import LocalProjection
from civicgrid_platform.collector import collector_paused

DISTRICT_CODE = "370102"
DISTRICT_NAME = "历下区"
GRID_AREA_M2 = 90_000.0
GRIDS_PER_COMMUNITY = 30
COMMUNITIES_PER_STREET = 6
COMPOUND_SHARE = 0.1  # of grids that hold a residential compound
UNIT_SHARE = 0.4  # of buildings divided into units (stairwells)
HOUSEHOLD_SHARE = 0.5  # of units with a registered household in the demo

_STREET_WORDS = (
    "解放路 千佛山 趵突泉 泉城路 大明湖 东关 文东 建新 甸柳 燕山 姚家 龙洞 智远 舜华路 "
    "历山路 山大路 洪家楼 浆水泉 羊头峪 窑头 花园路 燕子山 佛山 舜玉 和平路 青年东 "
    "黑虎泉 五龙潭 芙蓉 百花洲 环山 科院 旅游路 经十 开元 锦屏 泉景 明湖东 南苑 北苑"
).split()
_PLACE_PARTS = (
    "历山 山大 燕子山 甸柳 文化东 羊头峪 窑头 花园 丁家庄 姚家 舜玉 解放东 和平 建新 青龙 "
    "泉景 泉城 明湖 荷花 柳云 开元 佛山 科院 新东 东环 南苑 北苑 锦屏 福康 永安 康宁 "
    "兴隆 清河 金鸡 玉函 龙鼎 盛福 齐鲁 鲁能 阳光 翠屏 秀水 泉韵 凤凰 华信 文苑"
).split()
_PLACE_SUFFIXES = ("", "东", "西", "南", "北", "新村", "苑", "花园", "里", "庄")
_ROADS = "历山路 山大路 文化东路 和平路 解放路 燕子山路 甸柳路 窑头路 东关大街 青年东路".split()
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_GIVEN = "秀英 建国 桂兰 志强 丽华 国庆 淑珍 海燕 文军 春梅 立新 玉兰 德福 红霞 振华".split()

DEMO_CATEGORIES = (
    "roads",
    "lighting",
    "heating",
    "parking",
    "sanitation",
    "elevator",
    "water",
    "drainage",
    "gas",
    "electricity",
    "greenery",
    "noise",
    "property",
    "traffic",
    "housing",
)


def demo_departments() -> list[dict[str, Any]]:
    """Departments that commit to deadlines at joint meetings, and the categories each takes."""

    def dept(code: str, name: str, phone: str, categories: list[str]) -> dict[str, Any]:
        return {"code": code, "name": name, "phone": phone, "categories": categories}

    return [
        dept("traffic-police", "历下交警大队", "053186081122", ["traffic", "parking"]),
        dept("water", "济南水务集团历下营业所", "053186061234", ["water", "drainage"]),
        dept("heating", "济南热力集团历下分公司", "053186013366", ["heating"]),
        dept("gas", "济南港华燃气历下服务站", "053186016789", ["gas"]),
        dept("power", "国网济南供电公司历下供电中心", "053195598000", ["electricity"]),
        dept(
            "urban-management",
            "历下区城市管理局",
            "053186055110",
            ["roads", "lighting", "sanitation", "greenery", "noise"],
        ),
        dept("housing", "历下区住房和城乡建设局", "053186052233", ["housing", "property"]),
        dept("market-regulation", "历下区市场监督管理局", "053186090315", ["elevator"]),
        dept(
            "property-minghu",
            "济南明湖物业服务有限公司",
            "053188812345",
            ["property", "elevator", "parking", "sanitation"],
        ),
        dept(
            "property-luneng",
            "山东鲁能物业服务有限公司",
            "053188867890",
            ["property", "elevator", "greenery", "heating"],
        ),
    ]


def generate_district(
    *,
    grids: int = 2000,
    seed: int = 7,
    center: tuple[float, float] = (117.0, 36.65),
    areas_only: bool = False,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of a whole district that validate_district accepts.

    areas_only: just the district, streets, communities and grids (the map layer a GIS office
    delivers), without compounds, buildings, units and households.
    """
    if not 1 <= grids <= 999_999:
        raise ValueError("grids must be between 1 and 999999")
    with collector_paused():
        return _Builder(grids, seed, LocalProjection.around(*center), areas_only).run()


@dataclass(frozen=True, slots=True)
class _Area:
    code: str
    name: str
    shape: BaseGeometry  # metres
    road: str


class _Builder:
    def __init__(self, grids: int, seed: int, proj: LocalProjection, areas_only: bool) -> None:
        self.grids, self.proj, self.areas_only = grids, proj, areas_only
        self.rng = np.random.default_rng(seed)  # arrays of draws
        self.pick = random.Random(seed)  # single draws: ~20x cheaper than numpy's per call
        self.features: list[dict[str, Any]] = []
        self.names = _Names(self.pick)

    def run(self) -> dict[str, Any]:
        district = _district_outline(self.grids * GRID_AREA_M2, self.rng)
        self.areas("district", None, [(DISTRICT_CODE, DISTRICT_NAME, district)])
        n_communities = min(max(1, round(self.grids / GRIDS_PER_COMMUNITY)), self.grids)
        n_streets = min(max(1, round(n_communities / COMMUNITIES_PER_STREET)), 999)
        streets = self.split(district, n_streets, DISTRICT_CODE, lambda k: self.names.street())
        per_street = _allocate(n_communities, [s.shape.area for s in streets], 999)
        communities: list[_Area] = []
        for street, n in zip(streets, per_street, strict=True):
            communities += self.split(
                street.shape, n, street.code, lambda k: self.names.community()
            )
        per_community = _allocate(self.grids, [c.shape.area for c in communities], 999)
        for community, n in zip(communities, per_community, strict=True):
            short = community.name.removesuffix("社区")
            tiles = self.split(community.shape, n, community.code, _grid_namer(short))
            if not self.areas_only:
                self.buildings(community, tiles)
        return {"type": "FeatureCollection", "features": self.features}

    def split(
        self, shape: BaseGeometry, n: int, parent: str, name: Callable[[int], str]
    ) -> list[_Area]:
        kind = {6: "street", 9: "community", 12: "grid"}[len(parent)]
        road = self.pick.choice(_ROADS)
        out = [
            _Area(f"{parent}{k:03d}", name(k), piece, road)
            for k, piece in enumerate(_partition(shape, n, self.rng), start=1)
        ]
        self.areas(kind, parent, [(a.code, a.name, a.shape) for a in out])
        return out

    def areas(
        self,
        kind: str,
        parent: str | None,
        items: list[tuple[str, str, BaseGeometry]],
        attributes: list[dict[str, str]] | None = None,
    ) -> None:
        shapes = self.proj.to_lonlat(np.asarray([shape for _, _, shape in items], dtype=object))
        for n, ((code, name, _), shape) in enumerate(zip(items, shapes, strict=True)):
            props: dict[str, Any] = {
                "kind": kind,
                "code": code,
                "parent_code": parent,
                "name": name,
            }
            if attributes:
                props["attributes"] = attributes[n]
            geometry = to_geojson_geometry(shape)
            self.features.append({"type": "Feature", "geometry": geometry, "properties": props})

    def feature(self, kind: str, code: str, parent: str, name: str, **extra: Any) -> None:
        props = {"kind": kind, "code": code, "parent_code": parent, "name": name, **extra}
        self.features.append({"type": "Feature", "geometry": None, "properties": props})

    def buildings(self, community: _Area, tiles: list[_Area]) -> None:
        """2-4 buildings per grid; a tenth of the grids hold a compound that owns them."""
        rng, pick = self.rng, self.pick
        shapes = np.asarray([t.shape for t in tiles], dtype=object)
        centres = shapely.get_coordinates(shapely.centroid(shapes))
        compound = rng.random(len(tiles)) < COMPOUND_SHARE
        owner = [t.code for t in tiles]
        items, attributes = [], []
        for n, k in enumerate(np.flatnonzero(compound).tolist(), start=1):
            owner[k] = f"{community.code}-Q{n}"
            name = self.names.compound()
            items.append((owner[k], name, None))
            attributes.append({"party_branch": f"{name}党支部"})
        if items:
            outlines = _scaled(shapes[compound], centres[compound], 0.6)
            items = [(c, n, o) for (c, n, _), o in zip(items, outlines, strict=True)]
            self.areas("compound", community.code, items, attributes)
        # Points from the centroid toward the boundary, at most 0.85 of the way (0.5 inside a
        # compound, whose outline is the grid scaled by 0.6): strictly inside convex shapes.
        counts = rng.integers(2, 5, len(tiles))
        tile_of = np.repeat(np.arange(len(tiles)), counts)
        edge = shapely.line_interpolate_point(
            shapely.get_exterior_ring(shapes)[tile_of], rng.random(len(tile_of)), normalized=True
        )
        reach = np.where(compound[tile_of], 0.5, 0.85)
        t = 0.05 + rng.random(len(tile_of)) * (reach - 0.05)
        c = centres[tile_of]
        lonlat = self.proj.inverse(c + t[:, None] * (shapely.get_coordinates(edge) - c)).tolist()
        number = _roll(pick, 1, 60)
        b = 0
        for j, tile in enumerate(tile_of.tolist()):
            b = 1 if j == 0 or tile != tile_of[j - 1] else b + 1
            number += _roll(pick, 1, 3)
            parent = owner[tile]
            code, address = f"{parent}-B{b}", f"{community.road}{number}号{b}号楼"
            props = {
                "kind": "building",
                "code": code,
                "parent_code": parent,
                "name": f"{b}号楼",
                "address": address,
            }
            point = {"type": "Point", "coordinates": lonlat[j]}
            self.features.append({"type": "Feature", "geometry": point, "properties": props})
            self.units(code, address)

    def units(self, building: str, address: str) -> None:
        pick = self.pick
        if pick.random() >= UNIT_SHARE:
            if pick.random() < 0.1:  # a bungalow: the household hangs off the building itself
                self.feature("household", f"{building}-H1", building, "1户", address=address)
            return
        for u in range(1, _roll(pick, 1, 4) + 1):
            code, where = f"{building}-U{u}", f"{address}{u}单元"
            room = f"{_roll(pick, 1, 6)}0{_roll(pick, 1, 3)}"
            extra: dict[str, Any] = {"address": where}
            if pick.random() < 0.3:
                extra["attributes"] = {
                    "party_member_centre_household": f"{room}室 {self.names.person()}"
                }
            self.feature("unit", code, building, f"{u}单元", **extra)
            if pick.random() < HOUSEHOLD_SHARE:
                self.feature(
                    "household", f"{code}-H{room}", code, f"{room}室", address=f"{where}{room}室"
                )


class _Names:
    """Unique, plausible Chinese names; numbered variants (燕山二社区) once a pool runs dry."""

    def __init__(self, pick: random.Random) -> None:
        self.pick = pick
        self.used: set[str] = set()
        self.places = [p + s for p in _PLACE_PARTS for s in _PLACE_SUFFIXES]
        pick.shuffle(self.places)
        self.streets = list(_STREET_WORDS)
        pick.shuffle(self.streets)
        self.counts = {"street": 0, "community": 0}

    def street(self) -> str:
        self.counts["street"] += 1
        return self.unique(self.streets[(self.counts["street"] - 1) % len(self.streets)] + "街道")

    def community(self) -> str:
        self.counts["community"] += 1
        return self.unique(self.places[(self.counts["community"] - 1) % len(self.places)] + "社区")

    def compound(self) -> str:
        return self.unique(self.pick.choice(self.places) + "小区")

    def person(self) -> str:
        return self.pick.choice(_SURNAMES) + self.pick.choice(_GIVEN)

    def unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.used:
            n += 1
            candidate = f"{name[:-2]}{_ordinal(n)}{name[-2:]}"
        self.used.add(candidate)
        return candidate


def _grid_namer(community: str) -> Callable[[int], str]:
    return lambda k: f"{community}第{k}网格"


def _roll(pick: random.Random, low: int, high: int) -> int:
    """A die roll in [low, high]; random.randint costs five times as much."""
    return low + int(pick.random() * (high - low + 1))


def _ordinal(n: int) -> str:
    digits = "零一二三四五六七八九"
    return "".join(digits[int(d)] for d in str(n))


def _district_outline(area: float, rng: np.random.Generator) -> BaseGeometry:
    """A convex, irregular outline of roughly the given area, centred on the origin."""
    angles = np.sort(rng.uniform(0, 2 * math.pi, 28))
    radii = rng.uniform(0.85, 1.15, len(angles))
    hull = shapely.convex_hull(
        shapely.multipoints(np.c_[np.cos(angles) * radii, np.sin(angles) * radii])
    )
    scale = math.sqrt(area / hull.area)
    return shapely.transform(hull, lambda c: c * scale)


def _partition(shape: BaseGeometry, n: int, rng: np.random.Generator) -> list[BaseGeometry]:
    """n convex pieces tiling a convex shape, in reading order (north-west first)."""
    if n == 1:
        return [shape]
    seeds = _seeds(shape, n, rng)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=shape, ordered=True)
    )
    pieces = shapely.intersection(cells, shape)
    row = np.floor(-seeds[:, 1] / math.sqrt(shape.area / n))
    return [pieces[i] for i in np.lexsort((seeds[:, 0], row))]


def _seeds(shape: BaseGeometry, n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """n distinct points inside shape, spread evenly: a jittered lattice, topped up at random."""
    xmin, ymin, xmax, ymax = shape.bounds
    step = math.sqrt(shape.area / n)
    xs = np.arange(xmin + step * rng.random(), xmax, step)
    ys = np.arange(ymin + step * rng.random(), ymax, step)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    grid += rng.uniform(-0.3 * step, 0.3 * step, grid.shape)
    pts = grid[shapely.contains_xy(shape, grid[:, 0], grid[:, 1])]
    if len(pts) > n:
        pts = pts[rng.choice(len(pts), n, replace=False)]
    while len(pts) < n:
        extra = rng.uniform((xmin, ymin), (xmax, ymax), (4 * (n - len(pts)) + 8, 2))
        extra = extra[shapely.contains_xy(shape, extra[:, 0], extra[:, 1])]
        pts = np.unique(np.concatenate([pts, extra]), axis=0)[:n]
    return pts


def _scaled(
    shapes: npt.NDArray[np.object_], centres: npt.NDArray[np.float64], factor: float
) -> Any:
    """Single-ring polygons scaled about their centres (convex: the result lies inside)."""
    coords, owner = shapely.get_coordinates(shapes, return_index=True)
    c = centres[owner]
    return shapely.polygons(shapely.linearrings(c + factor * (coords - c), indices=owner))


def _allocate(total: int, weights: list[float], cap: int) -> list[int]:
    """Split total into len(weights) whole parts by weight, each at least 1 and at most cap."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    parts = np.clip(np.floor(raw), 1, cap).astype(int)
    while (diff := total - int(parts.sum())) != 0:
        owed = raw - parts
        if diff > 0:
            parts[np.argmax(np.where(parts < cap, owed, -np.inf))] += 1
        else:
            parts[np.argmin(np.where(parts > 1, owed, np.inf))] -= 1
    return [int(p) for p in parts]
