"""What is wrong with a district import, named precisely enough for a person to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from civicgrid_platform.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One defect. feature is the index in the FeatureCollection (None: the whole document);
    field names the property or member at fault ("code", "parent_code", "geometry", ...)."""

    feature: int | None
    code: str | None
    reason: str
    field: str | None = None


class ImportRejected(InvalidInput):
    """The import was refused; .problems lists every defect found, not just the first."""

    def __init__(self, problems: Iterable[ImportProblem]) -> None:
        self.problems: tuple[ImportProblem, ...] = tuple(sort_problems(problems))
        first = self.problems[0].reason if self.problems else "no problems recorded"
        more = len(self.problems) - 1
        detail = f"the district import was rejected: {first}"
        if more > 0:
            detail += f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(detail)


def sort_problems(problems: Iterable[ImportProblem]) -> list[ImportProblem]:
    """Document-level problems first, then in feature order (stable within a feature)."""
    return sorted(problems, key=lambda p: -1 if p.feature is None else p.feature)
