import datetime

from civicgrid.common.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Urgency(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    URGENCY_UNSPECIFIED: _ClassVar[Urgency]
    URGENCY_NORMAL: _ClassVar[Urgency]
    URGENCY_HIGH: _ClassVar[Urgency]
    URGENCY_URGENT: _ClassVar[Urgency]
URGENCY_UNSPECIFIED: Urgency
URGENCY_NORMAL: Urgency
URGENCY_HIGH: Urgency
URGENCY_URGENT: Urgency

class SkillNeed(_message.Message):
    __slots__ = ("code", "min_level")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MIN_LEVEL_FIELD_NUMBER: _ClassVar[int]
    code: str
    min_level: int
    def __init__(self, code: _Optional[str] = ..., min_level: _Optional[int] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ("task_id", "kind", "title", "description", "location", "grid_id", "community_id", "starts_at", "ends_at", "skills", "volunteers_needed", "urgency", "needs_safeguarding", "status", "volunteers_accepted", "source", "source_ref", "client_person_id", "created_at")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    GRID_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEERS_NEEDED_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    NEEDS_SAFEGUARDING_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEERS_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_REF_FIELD_NUMBER: _ClassVar[int]
    CLIENT_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    kind: str
    title: str
    description: str
    location: _common_pb2.GeoPoint
    grid_id: str
    community_id: str
    starts_at: _timestamp_pb2.Timestamp
    ends_at: _timestamp_pb2.Timestamp
    skills: _containers.RepeatedCompositeFieldContainer[SkillNeed]
    volunteers_needed: int
    urgency: Urgency
    needs_safeguarding: bool
    status: str
    volunteers_accepted: int
    source: str
    source_ref: str
    client_person_id: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, task_id: _Optional[str] = ..., kind: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., grid_id: _Optional[str] = ..., community_id: _Optional[str] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., skills: _Optional[_Iterable[_Union[SkillNeed, _Mapping]]] = ..., volunteers_needed: _Optional[int] = ..., urgency: _Optional[_Union[Urgency, str]] = ..., needs_safeguarding: _Optional[bool] = ..., status: _Optional[str] = ..., volunteers_accepted: _Optional[int] = ..., source: _Optional[str] = ..., source_ref: _Optional[str] = ..., client_person_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FindNearestAvailableRequest(_message.Message):
    __slots__ = ("tenant_id", "point", "skills", "n", "radius_m", "starts_at", "ends_at", "urgent", "needs_safeguarding")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    POINT_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    RADIUS_M_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    URGENT_FIELD_NUMBER: _ClassVar[int]
    NEEDS_SAFEGUARDING_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    point: _common_pb2.GeoPoint
    skills: _containers.RepeatedCompositeFieldContainer[SkillNeed]
    n: int
    radius_m: float
    starts_at: _timestamp_pb2.Timestamp
    ends_at: _timestamp_pb2.Timestamp
    urgent: bool
    needs_safeguarding: bool
    def __init__(self, tenant_id: _Optional[str] = ..., point: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., skills: _Optional[_Iterable[_Union[SkillNeed, _Mapping]]] = ..., n: _Optional[int] = ..., radius_m: _Optional[float] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., urgent: _Optional[bool] = ..., needs_safeguarding: _Optional[bool] = ...) -> None: ...

class ScorePart(_message.Message):
    __slots__ = ("factor", "value", "weight", "points")
    FACTOR_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    factor: str
    value: float
    weight: float
    points: float
    def __init__(self, factor: _Optional[str] = ..., value: _Optional[float] = ..., weight: _Optional[float] = ..., points: _Optional[float] = ...) -> None: ...

class Candidate(_message.Message):
    __slots__ = ("volunteer_id", "person_id", "display_name", "distance_m", "score", "breakdown")
    VOLUNTEER_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    volunteer_id: str
    person_id: str
    display_name: str
    distance_m: float
    score: float
    breakdown: _containers.RepeatedCompositeFieldContainer[ScorePart]
    def __init__(self, volunteer_id: _Optional[str] = ..., person_id: _Optional[str] = ..., display_name: _Optional[str] = ..., distance_m: _Optional[float] = ..., score: _Optional[float] = ..., breakdown: _Optional[_Iterable[_Union[ScorePart, _Mapping]]] = ...) -> None: ...

class FindNearestAvailableResponse(_message.Message):
    __slots__ = ("candidates",)
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    candidates: _containers.RepeatedCompositeFieldContainer[Candidate]
    def __init__(self, candidates: _Optional[_Iterable[_Union[Candidate, _Mapping]]] = ...) -> None: ...

class GetTaskRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class GetTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: Task
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ...) -> None: ...

class CreateTaskRequest(_message.Message):
    __slots__ = ("kind", "title", "description", "location", "grid_id", "community_id", "starts_at", "ends_at", "skills", "volunteers_needed", "urgency", "needs_safeguarding", "source", "source_ref", "client_person_id", "idempotency_key")
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    GRID_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEERS_NEEDED_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    NEEDS_SAFEGUARDING_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_REF_FIELD_NUMBER: _ClassVar[int]
    CLIENT_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    kind: str
    title: str
    description: str
    location: _common_pb2.GeoPoint
    grid_id: str
    community_id: str
    starts_at: _timestamp_pb2.Timestamp
    ends_at: _timestamp_pb2.Timestamp
    skills: _containers.RepeatedCompositeFieldContainer[SkillNeed]
    volunteers_needed: int
    urgency: Urgency
    needs_safeguarding: bool
    source: str
    source_ref: str
    client_person_id: str
    idempotency_key: str
    def __init__(self, kind: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., grid_id: _Optional[str] = ..., community_id: _Optional[str] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., skills: _Optional[_Iterable[_Union[SkillNeed, _Mapping]]] = ..., volunteers_needed: _Optional[int] = ..., urgency: _Optional[_Union[Urgency, str]] = ..., needs_safeguarding: _Optional[bool] = ..., source: _Optional[str] = ..., source_ref: _Optional[str] = ..., client_person_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CreateTaskResponse(_message.Message):
    __slots__ = ("task", "replayed")
    TASK_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    task: Task
    replayed: bool
    def __init__(self, task: _Optional[_Union[Task, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...
