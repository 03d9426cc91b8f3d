"""The per-point geometry calls GridIndex.resolve makes, at scalar speed.

shapely's public vectorised functions (shapely.intersects_xy, shapely.points, shapely.distance)
pay one to three microseconds of numpy ufunc set-up per call, which is most of a 20 µs budget
when a lookup makes five of them. shapely 2.2 has scalar fast paths (shapely.lib.*_scalar)
behind its geometry methods; we call them directly where they exist and fall back to the public
API where they do not, so an older shapely is slower, never wrong.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

_lib = shapely.lib
_ALLOW_NAN = np.intc(0)  # shapely.HandleNaN.allow: callers pass finite coordinates only
_FAST = all(hasattr(_lib, name) for name in ("intersects_xy_scalar", "distance_scalar"))


def _covers_xy_public(geometry: BaseGeometry, x: float, y: float) -> bool:
    return bool(shapely.intersects_xy(geometry, x, y))


def _distance_public(a: BaseGeometry, b: BaseGeometry) -> float:
    return float(shapely.distance(a, b))


def _point_public(x: float, y: float) -> BaseGeometry:
    return shapely.Point(x, y)


_scratch = threading.local()


def _point_fast(x: float, y: float) -> BaseGeometry:
    # One coordinate buffer per thread, refilled: cheaper than a fresh array per call.
    try:
        xy = _scratch.xy
    except AttributeError:
        xy = _scratch.xy = np.empty(2)
    xy[0] = x
    xy[1] = y
    return _lib.points(xy, _ALLOW_NAN)


# covers_xy(polygon, x, y): is (x, y) in the polygon or on its boundary? Prepared: indexed.
covers_xy: Callable[[BaseGeometry, float, float], bool] = (
    _lib.intersects_xy_scalar if _FAST else _covers_xy_public
)
# distance(a, b): Euclidean distance between two geometries (0 when they intersect).
distance: Callable[[BaseGeometry, BaseGeometry], float] = (
    _lib.distance_scalar if _FAST else _distance_public
)
# point(x, y): a Point for the distance calls.
point: Callable[[float, float], BaseGeometry] = _point_fast if _FAST else _point_public
