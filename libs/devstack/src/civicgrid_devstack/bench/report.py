"""The table `make bench` prints."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    value: str
    target: str
    note: str = ""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def render(figures: list[Figure]) -> str:
    rows = [
        ("benchmark", "measured", "target", "conditions"),
        *((f.name, f.value, f.target, f.note) for f in figures),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [line]
    for i, row in enumerate(rows):
        out.append("|".join(f" {cell:<{widths[j]}} " for j, cell in enumerate(row)))
        if i == 0:
            out.append(line)
    out.append(line)
    return "\n".join(out)
