import datetime

from civicgrid.tickets.v1 import tickets_service_pb2 as _tickets_service_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TicketCreated(_message.Message):
    __slots__ = ("ticket", "reporter_person_id")
    TICKET_FIELD_NUMBER: _ClassVar[int]
    REPORTER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ticket: _tickets_service_pb2.Ticket
    reporter_person_id: str
    def __init__(self, ticket: _Optional[_Union[_tickets_service_pb2.Ticket, _Mapping]] = ..., reporter_person_id: _Optional[str] = ...) -> None: ...

class TicketRouted(_message.Message):
    __slots__ = ("ticket_id", "grid_id", "ancestor_ids", "department_id", "resolved_by", "boundary_neighbour_grid_id", "boundary_distance_m")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    GRID_ID_FIELD_NUMBER: _ClassVar[int]
    ANCESTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_BY_FIELD_NUMBER: _ClassVar[int]
    BOUNDARY_NEIGHBOUR_GRID_ID_FIELD_NUMBER: _ClassVar[int]
    BOUNDARY_DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    grid_id: str
    ancestor_ids: _containers.RepeatedScalarFieldContainer[str]
    department_id: str
    resolved_by: str
    boundary_neighbour_grid_id: str
    boundary_distance_m: float
    def __init__(self, ticket_id: _Optional[str] = ..., grid_id: _Optional[str] = ..., ancestor_ids: _Optional[_Iterable[str]] = ..., department_id: _Optional[str] = ..., resolved_by: _Optional[str] = ..., boundary_neighbour_grid_id: _Optional[str] = ..., boundary_distance_m: _Optional[float] = ...) -> None: ...

class TicketAssigned(_message.Message):
    __slots__ = ("ticket_id", "level", "owner_unit_id", "owner_department_id", "owner_person_ids")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    level: str
    owner_unit_id: str
    owner_department_id: str
    owner_person_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ticket_id: _Optional[str] = ..., level: _Optional[str] = ..., owner_unit_id: _Optional[str] = ..., owner_department_id: _Optional[str] = ..., owner_person_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class TicketStatusChanged(_message.Message):
    __slots__ = ("ticket_id", "from_status", "to_status", "action", "actor_id", "note", "at", "reason_code")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    from_status: str
    to_status: str
    action: str
    actor_id: str
    note: str
    at: _timestamp_pb2.Timestamp
    reason_code: str
    def __init__(self, ticket_id: _Optional[str] = ..., from_status: _Optional[str] = ..., to_status: _Optional[str] = ..., action: _Optional[str] = ..., actor_id: _Optional[str] = ..., note: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason_code: _Optional[str] = ...) -> None: ...

class TicketTransferred(_message.Message):
    __slots__ = ("ticket_id", "from_unit_id", "to_unit_id", "from_department_id", "to_department_id", "reason_code", "note", "actor_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    TO_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TO_DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    from_unit_id: str
    to_unit_id: str
    from_department_id: str
    to_department_id: str
    reason_code: str
    note: str
    actor_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., from_unit_id: _Optional[str] = ..., to_unit_id: _Optional[str] = ..., from_department_id: _Optional[str] = ..., to_department_id: _Optional[str] = ..., reason_code: _Optional[str] = ..., note: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class TicketEscalated(_message.Message):
    __slots__ = ("ticket_id", "from_level", "to_level", "owner_unit_id", "trigger", "reason", "actor_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TO_LEVEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    from_level: str
    to_level: str
    owner_unit_id: str
    trigger: str
    reason: str
    actor_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., from_level: _Optional[str] = ..., to_level: _Optional[str] = ..., owner_unit_id: _Optional[str] = ..., trigger: _Optional[str] = ..., reason: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class TicketSlaWarning(_message.Message):
    __slots__ = ("ticket_id", "clock", "due_at", "level")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    clock: str
    due_at: _timestamp_pb2.Timestamp
    level: str
    def __init__(self, ticket_id: _Optional[str] = ..., clock: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., level: _Optional[str] = ...) -> None: ...

class TicketSlaBreached(_message.Message):
    __slots__ = ("ticket_id", "clock", "due_at", "level")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    clock: str
    due_at: _timestamp_pb2.Timestamp
    level: str
    def __init__(self, ticket_id: _Optional[str] = ..., clock: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., level: _Optional[str] = ...) -> None: ...

class TicketCommented(_message.Message):
    __slots__ = ("ticket_id", "comment_id", "author_id", "public")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    comment_id: str
    author_id: str
    public: bool
    def __init__(self, ticket_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., author_id: _Optional[str] = ..., public: _Optional[bool] = ...) -> None: ...

class TicketRated(_message.Message):
    __slots__ = ("ticket_id", "rating", "comment")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    rating: int
    comment: str
    def __init__(self, ticket_id: _Optional[str] = ..., rating: _Optional[int] = ..., comment: _Optional[str] = ...) -> None: ...

class TicketMerged(_message.Message):
    __slots__ = ("ticket_id", "into_ticket_id", "actor_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    INTO_TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    into_ticket_id: str
    actor_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., into_ticket_id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class MeetingScheduled(_message.Message):
    __slots__ = ("meeting_id", "level", "unit_id", "held_at", "ticket_ids", "department_ids")
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    HELD_AT_FIELD_NUMBER: _ClassVar[int]
    TICKET_IDS_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    meeting_id: str
    level: str
    unit_id: str
    held_at: _timestamp_pb2.Timestamp
    ticket_ids: _containers.RepeatedScalarFieldContainer[str]
    department_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, meeting_id: _Optional[str] = ..., level: _Optional[str] = ..., unit_id: _Optional[str] = ..., held_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ticket_ids: _Optional[_Iterable[str]] = ..., department_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CommitmentMade(_message.Message):
    __slots__ = ("commitment_id", "meeting_id", "ticket_id", "department_id", "responsible", "action", "due_at")
    COMMITMENT_ID_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSIBLE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    commitment_id: str
    meeting_id: str
    ticket_id: str
    department_id: str
    responsible: str
    action: str
    due_at: _timestamp_pb2.Timestamp
    def __init__(self, commitment_id: _Optional[str] = ..., meeting_id: _Optional[str] = ..., ticket_id: _Optional[str] = ..., department_id: _Optional[str] = ..., responsible: _Optional[str] = ..., action: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CommitmentOverdue(_message.Message):
    __slots__ = ("commitment_id", "meeting_id", "ticket_id", "department_id", "responsible", "action", "due_at")
    COMMITMENT_ID_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSIBLE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    commitment_id: str
    meeting_id: str
    ticket_id: str
    department_id: str
    responsible: str
    action: str
    due_at: _timestamp_pb2.Timestamp
    def __init__(self, commitment_id: _Optional[str] = ..., meeting_id: _Optional[str] = ..., ticket_id: _Optional[str] = ..., department_id: _Optional[str] = ..., responsible: _Optional[str] = ..., action: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EvaluationPublished(_message.Message):
    __slots__ = ("month", "formula_version", "units", "snapshot_id")
    MONTH_FIELD_NUMBER: _ClassVar[int]
    FORMULA_VERSION_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    month: str
    formula_version: int
    units: int
    snapshot_id: str
    def __init__(self, month: _Optional[str] = ..., formula_version: _Optional[int] = ..., units: _Optional[int] = ..., snapshot_id: _Optional[str] = ...) -> None: ...

class RulesPublished(_message.Message):
    __slots__ = ("kind", "version", "published_by", "published_at")
    KIND_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_BY_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    version: int
    published_by: str
    published_at: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[str] = ..., version: _Optional[int] = ..., published_by: _Optional[str] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
