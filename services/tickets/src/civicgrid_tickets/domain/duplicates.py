"""Duplicate suggestion at intake: a report of the same category, close by and recent, that
says much the same. Staff decide whether to merge; intake only suggests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from civicgrid_tickets.domain.geo import haversine_m

# Below this text similarity a nearby report of the same category is still suggested when it
# is very close, since residents describe one broken lamp in very different words.
TEXT_THRESHOLD = 0.35
NEAR_ENOUGH_M = 25.0


@dataclass(frozen=True, slots=True)
class Candidate:
    ticket_id: str
    number: str
    lat: float
    lon: float
    description: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    ticket_id: str
    number: str
    distance_m: float
    similarity: float


def _normalised(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text.lower())


def similarity(a: str, b: str) -> float:
    """0..1: character-level likeness after removing spaces and punctuation (works for Chinese,
    which has no word boundaries to compare)."""
    return _Likeness(a).to(b)


class _Likeness:
    """One text compared with many: normalised and indexed once (SequenceMatcher caches its
    second sequence)."""

    def __init__(self, text: str) -> None:
        self._matcher = SequenceMatcher(None, autojunk=False)
        self._empty = not _normalised(text)
        self._matcher.set_seq2(_normalised(text))

    def to(self, other: str, at_least: float = 0.0) -> float:
        """The likeness, or 0.0 as soon as it is known to be below at_least."""
        candidate = _normalised(other)
        if self._empty or not candidate:
            return 0.0
        self._matcher.set_seq1(candidate)
        if self._matcher.real_quick_ratio() < at_least or self._matcher.quick_ratio() < at_least:
            return 0.0
        return self._matcher.ratio()


def suggest(
    lat: float, lon: float, description: str, candidates: list[Candidate], radius_m: float
) -> list[Suggestion]:
    """Candidates within radius_m that are very close or read alike, most alike first."""
    found = []
    likeness = _Likeness(description)
    for c in candidates:
        distance = haversine_m(lat, lon, c.lat, c.lon)
        if distance > radius_m:
            continue
        # Far enough away, only the texts decide: skip the full comparison when it cannot pass.
        score = likeness.to(c.description, 0.0 if distance <= NEAR_ENOUGH_M else TEXT_THRESHOLD)
        if score >= TEXT_THRESHOLD or distance <= NEAR_ENOUGH_M:
            found.append(Suggestion(c.ticket_id, c.number, round(distance, 1), round(score, 3)))
    return sorted(found, key=lambda s: (-s.similarity, s.distance_m))[:5]
