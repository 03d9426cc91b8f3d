"""Domain records as the contract's messages (events and gRPC share them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from google.protobuf import timestamp_pb2

from civicgrid.common.v1 import common_pb2
from civicgrid.volunteers.v1 import volunteers_service_pb2 as pb
from civicgrid_volunteers.domain.matching import Match, ScorePart
from civicgrid_volunteers.domain.tasks import Task

URGENCY_PB = {
    "normal": pb.URGENCY_NORMAL,
    "high": pb.URGENCY_HIGH,
    "urgent": pb.URGENCY_URGENT,
}
PB_URGENCY = {v: k for k, v in URGENCY_PB.items()}


def timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def task_message(task: Task) -> pb.Task:
    return pb.Task(
        task_id=str(task.id),
        kind=task.kind,
        title=task.title,
        description=task.description,
        location=common_pb2.GeoPoint(lat=task.lat, lon=task.lon),
        grid_id=str(task.grid_id or ""),
        community_id=str(task.community_id or ""),
        starts_at=timestamp(task.starts_at),
        ends_at=timestamp(task.ends_at),
        skills=[pb.SkillNeed(code=s.code, min_level=s.min_level) for s in task.skills],
        volunteers_needed=task.volunteers_needed,
        urgency=URGENCY_PB[task.urgency],
        needs_safeguarding=task.needs_safeguarding,
        status=task.status,
        volunteers_accepted=task.volunteers_accepted,
        source=task.source,
        source_ref=task.source_ref,
        client_person_id=str(task.client_person_id or ""),
        created_at=timestamp(task.created_at),
    )


def breakdown_message(parts: Sequence[ScorePart]) -> list[pb.ScorePart]:
    return [
        pb.ScorePart(factor=p.factor, value=p.value, weight=p.weight, points=p.points)
        for p in parts
    ]


def candidate_message(match: Match) -> pb.Candidate:
    c = match.candidate
    return pb.Candidate(
        volunteer_id=str(c.volunteer_id),
        person_id=str(c.person_id),
        display_name=c.display_name,
        distance_m=round(c.distance_m, 1),
        score=match.score,
        breakdown=breakdown_message(match.parts),
    )
