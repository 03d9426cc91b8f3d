"""A local equirectangular projection: WGS84 lon/lat degrees to metres around a district.

Distances in the registry (import tolerances, the 30 m boundary warning, "how far outside")
must be metres, not degrees: a degree of longitude at Jinan is 89 km, a degree of latitude
111 km. Scaling each axis by the metres-per-degree at the district's middle latitude is
accurate to a few centimetres per 30 m across a district and to well under a metre across a
city, costs two multiplications per coordinate and needs no projection library. The map is
affine, so it keeps straight edges straight, shared vertices shared and valid polygons valid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(metres per degree of longitude, of latitude) on the WGS84 ellipsoid at lat."""
    phi = math.radians(lat)
    per_lat = (
        111132.92
        - 559.82 * math.cos(2 * phi)
        + 1.175 * math.cos(4 * phi)
        - 0.0023 * math.cos(6 * phi)
    )
    per_lon = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    return per_lon, per_lat


@dataclass(frozen=True, slots=True)
class LocalProjection:
    lon0: float
    lat0: float
    kx: float  # metres per degree of longitude at lat0
    ky: float  # metres per degree of latitude at lat0

    @classmethod
    def around(cls, lon: float, lat: float) -> LocalProjection:
        kx, ky = metres_per_degree(lat)
        return cls(lon0=lon, lat0=lat, kx=kx, ky=ky)

    @classmethod
    def for_bounds(cls, bounds: npt.ArrayLike) -> LocalProjection:
        """Centred on (xmin, ymin, xmax, ymax); (0, 0) when the bounds are empty (NaN)."""
        xmin, ymin, xmax, ymax = (float(v) for v in np.asarray(bounds, dtype=float))
        if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
            return cls.around(0.0, 0.0)
        return cls.around((xmin + xmax) / 2, (ymin + ymax) / 2)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        # The same operations, in the same order, as forward(): a vertex given as lon/lat lands
        # on exactly the same metres whether it arrives as a polygon vertex or a query point.
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return x / self.kx + self.lon0, y / self.ky + self.lat0

    def forward(self, coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out = np.empty_like(coords)
        out[:, 0] = (coords[:, 0] - self.lon0) * self.kx
        out[:, 1] = (coords[:, 1] - self.lat0) * self.ky
        return out

    def inverse(self, coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out = np.empty_like(coords)
        out[:, 0] = coords[:, 0] / self.kx + self.lon0
        out[:, 1] = coords[:, 1] / self.ky + self.lat0
        return out

    def to_metres(self, geometries: Any) -> Any:
        """Geometry or array of geometries, lon/lat to metres (vectorised over all coordinates)."""
        return shapely.transform(geometries, self.forward)

    def to_lonlat(self, geometries: Any) -> Any:
        return shapely.transform(geometries, self.inverse)
