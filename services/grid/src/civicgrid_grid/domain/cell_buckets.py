"""A uniform grid of square cells over the district, each listing the shapes that may matter.

A lookup computes its cell with two subtractions and two multiplications and reads a short
list of candidates from flat arrays (compressed sparse rows), so finding the few polygons worth
testing costs well under a microsecond, where an STRtree query costs several. A shape is listed
in every cell its bounding box, grown by a margin, touches: a superset, never a miss.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Bounds = npt.NDArray[np.float64]  # (n, 4): xmin, ymin, xmax, ymax in metres

MAX_CELLS = 4_000_000  # ~32 MB of row offsets at most, whatever the shapes


@dataclass(frozen=True, slots=True)
class CellLayout:
    x0: float
    y0: float
    size: float
    nx: int
    ny: int

    @classmethod
    def covering(cls, bounds: Bounds, margin: float, cell_m: float | None) -> CellLayout:
        """Cells over the shapes' extent plus margin; by default half a typical shape wide."""
        xmin, ymin = bounds[:, 0].min() - margin, bounds[:, 1].min() - margin
        xmax, ymax = bounds[:, 2].max() + margin, bounds[:, 3].max() + margin
        if cell_m is None:
            sides = np.sqrt((bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1]))
            cell_m = max(float(np.median(sides)) / 2, 1.0)
        area = max(xmax - xmin, 1.0) * max(ymax - ymin, 1.0)
        size = max(cell_m, math.sqrt(area / MAX_CELLS))
        nx = max(1, math.ceil((xmax - xmin) / size))
        ny = max(1, math.ceil((ymax - ymin) / size))
        return cls(float(xmin), float(ymin), size, nx, ny)

    def cell(self, x: float, y: float) -> int:
        """The cell holding (x, y), or -1 outside the layout."""
        fx = (x - self.x0) / self.size
        fy = (y - self.y0) / self.size
        if 0.0 <= fx < self.nx and 0.0 <= fy < self.ny:
            return int(fy) * self.nx + int(fx)
        return -1

    def cells_touching(self, bounds: Bounds, margin: float) -> tuple[npt.NDArray[np.int64], ...]:
        """(row, cell) pairs: every cell each bounding box, grown by margin, touches."""
        ix0 = self._clip((bounds[:, 0] - margin - self.x0) / self.size, self.nx)
        iy0 = self._clip((bounds[:, 1] - margin - self.y0) / self.size, self.ny)
        ix1 = self._clip((bounds[:, 2] + margin - self.x0) / self.size, self.nx)
        iy1 = self._clip((bounds[:, 3] + margin - self.y0) / self.size, self.ny)
        width = ix1 - ix0 + 1
        counts = width * (iy1 - iy0 + 1)
        rows = np.repeat(np.arange(len(bounds)), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        local = np.arange(len(rows)) - first
        cells = (iy0[rows] + local // width[rows]) * self.nx + ix0[rows] + local % width[rows]
        return rows, cells

    def covers_box(self, bounds: Bounds, margin: float) -> npt.NDArray[np.bool_]:
        """Does the layout contain each bounding box grown by margin?"""
        return (
            (bounds[:, 0] - margin >= self.x0)
            & (bounds[:, 1] - margin >= self.y0)
            & (bounds[:, 2] + margin < self.x0 + self.nx * self.size)
            & (bounds[:, 3] + margin < self.y0 + self.ny * self.size)
        )

    @staticmethod
    def _clip(v: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.int64]:
        return np.clip(np.floor(v), 0, n - 1).astype(np.int64)


@dataclass(frozen=True, slots=True)
class CellLists:
    """Per cell, the rows listed in it: rows[starts[c]:starts[c + 1]]."""

    starts: array[int]
    rows: array[int]

    @classmethod
    def build(
        cls,
        layout: CellLayout,
        bounds: Bounds,
        margin: float,
        centres: npt.NDArray[np.float64] | None = None,
    ) -> CellLists:
        """centres: (n, 2); when given, each cell lists the shapes whose centre is nearest to
        the cell's own centre first (in a tiling, the one most likely to hold a point there)."""
        if not len(bounds):
            return cls(array("q", bytes(8 * (layout.nx * layout.ny + 1))), array("i"))
        rows, cells = layout.cells_touching(bounds, margin)
        if centres is None:
            order = np.argsort(cells, kind="stable")
        else:
            mid_x = layout.x0 + (cells % layout.nx + 0.5) * layout.size
            mid_y = layout.y0 + (cells // layout.nx + 0.5) * layout.size
            near = np.hypot(centres[rows, 0] - mid_x, centres[rows, 1] - mid_y)
            # One sort on cell + a fraction growing with distance: twice as fast as lexsort.
            order = np.argsort(cells + near / (2.0 * float(near.max()) + 1.0))
        counts = np.bincount(cells, minlength=layout.nx * layout.ny)
        starts = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        # array.array, not numpy: indexing and slicing return plain ints, ~10x cheaper per lookup.
        return cls(array("q", starts.tobytes()), array("i", rows[order].astype(np.int32).tobytes()))

    def at(self, cell: int) -> array[int]:
        return self.rows[self.starts[cell] : self.starts[cell + 1]]

    def nbytes(self) -> int:
        return self.starts.itemsize * len(self.starts) + self.rows.itemsize * len(self.rows)


def spatial_order(bounds: Bounds) -> npt.NDArray[np.int64]:
    """A Z-order (Morton) permutation of boxes by their centres.

    Shapes created in this order sit near their neighbours in memory, so the three or four a
    lookup touches share cache lines and pages: random lookups over 100k grids got ~40% faster.
    """
    if not len(bounds):
        return np.empty(0, dtype=np.int64)
    cx = (bounds[:, 0] + bounds[:, 2]) / 2
    cy = (bounds[:, 1] + bounds[:, 3]) / 2
    key = _spread(_quantise(cx)) | (_spread(_quantise(cy)) << 1)
    return np.argsort(key, kind="stable")


def _quantise(v: npt.NDArray[np.float64]) -> npt.NDArray[np.uint64]:
    span = float(v.max() - v.min()) or 1.0
    return ((v - v.min()) / span * 65535).astype(np.uint64)


def _spread(v: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Interleave zeros between the low 16 bits."""
    for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
        v = (v | (v << np.uint64(shift))) & np.uint64(mask)
    return v
