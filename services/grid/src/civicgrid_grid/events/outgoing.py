"""Grid's domain events as CloudEvents on civicgrid.grid.v1, keyed by aggregate id."""

from __future__ import annotations

from google.protobuf.message import Message

from civicgrid.grid.v1 import events_pb2
from civicgrid_platform.events.factory import EventFactory
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.settings import PlatformSettings

TOPIC = "civicgrid.grid.v1"
SOURCE = "/civicgrid/grid"

_TYPES: dict[type[Message], str] = {
    events_pb2.UnitCreated: "unit.created",
    events_pb2.UnitUpdated: "unit.updated",
    events_pb2.UnitRetired: "unit.retired",
    events_pb2.DepartmentChanged: "department.changed",
    events_pb2.DistrictImported: "district.imported",
}


grid_event = EventFactory(TOPIC, SOURCE, _TYPES)


def topic_specs(settings: PlatformSettings) -> list[TopicSpec]:
    """The topics grid owns (each gets a `.dlq`): what its relay provisions at start-up and
    what `civicgrid-grid topics` creates."""
    return [TopicSpec(TOPIC, partitions=settings.kafka_topic_partitions)]
