import datetime

from civicgrid.volunteers.v1 import volunteers_service_pb2 as _volunteers_service_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VolunteerRegistered(_message.Message):
    __slots__ = ("volunteer_id", "person_id", "grid_id", "skills", "registered_at")
    VOLUNTEER_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    GRID_ID_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    volunteer_id: str
    person_id: str
    grid_id: str
    skills: _containers.RepeatedScalarFieldContainer[str]
    registered_at: _timestamp_pb2.Timestamp
    def __init__(self, volunteer_id: _Optional[str] = ..., person_id: _Optional[str] = ..., grid_id: _Optional[str] = ..., skills: _Optional[_Iterable[str]] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TaskCreated(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _volunteers_service_pb2.Task
    def __init__(self, task: _Optional[_Union[_volunteers_service_pb2.Task, _Mapping]] = ...) -> None: ...

class OfferMade(_message.Message):
    __slots__ = ("offer_id", "task_id", "volunteer_id", "person_id", "score", "breakdown", "expires_at", "round")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    task_id: str
    volunteer_id: str
    person_id: str
    score: float
    breakdown: _containers.RepeatedCompositeFieldContainer[_volunteers_service_pb2.ScorePart]
    expires_at: _timestamp_pb2.Timestamp
    round: int
    def __init__(self, offer_id: _Optional[str] = ..., task_id: _Optional[str] = ..., volunteer_id: _Optional[str] = ..., person_id: _Optional[str] = ..., score: _Optional[float] = ..., breakdown: _Optional[_Iterable[_Union[_volunteers_service_pb2.ScorePart, _Mapping]]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., round: _Optional[int] = ...) -> None: ...

class OfferAccepted(_message.Message):
    __slots__ = ("offer_id", "task_id", "volunteer_id", "person_id")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    task_id: str
    volunteer_id: str
    person_id: str
    def __init__(self, offer_id: _Optional[str] = ..., task_id: _Optional[str] = ..., volunteer_id: _Optional[str] = ..., person_id: _Optional[str] = ...) -> None: ...

class OfferDeclined(_message.Message):
    __slots__ = ("offer_id", "task_id", "volunteer_id", "reason")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    task_id: str
    volunteer_id: str
    reason: str
    def __init__(self, offer_id: _Optional[str] = ..., task_id: _Optional[str] = ..., volunteer_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class OfferExpired(_message.Message):
    __slots__ = ("offer_id", "task_id", "volunteer_id")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_ID_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    task_id: str
    volunteer_id: str
    def __init__(self, offer_id: _Optional[str] = ..., task_id: _Optional[str] = ..., volunteer_id: _Optional[str] = ...) -> None: ...

class TaskFilled(_message.Message):
    __slots__ = ("task_id", "volunteer_ids")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_IDS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    volunteer_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, task_id: _Optional[str] = ..., volunteer_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class TaskCompleted(_message.Message):
    __slots__ = ("task_id", "completed_at")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    completed_at: _timestamp_pb2.Timestamp
    def __init__(self, task_id: _Optional[str] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HoursLogged(_message.Message):
    __slots__ = ("entry_id", "volunteer_id", "task_id", "minutes", "reason", "actor_id")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    volunteer_id: str
    task_id: str
    minutes: int
    reason: str
    actor_id: str
    def __init__(self, entry_id: _Optional[str] = ..., volunteer_id: _Optional[str] = ..., task_id: _Optional[str] = ..., minutes: _Optional[int] = ..., reason: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class NoShowRecorded(_message.Message):
    __slots__ = ("task_id", "volunteer_id", "recent_no_shows", "paused_until")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_ID_FIELD_NUMBER: _ClassVar[int]
    RECENT_NO_SHOWS_FIELD_NUMBER: _ClassVar[int]
    PAUSED_UNTIL_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    volunteer_id: str
    recent_no_shows: int
    paused_until: _timestamp_pb2.Timestamp
    def __init__(self, task_id: _Optional[str] = ..., volunteer_id: _Optional[str] = ..., recent_no_shows: _Optional[int] = ..., paused_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RatingPublished(_message.Message):
    __slots__ = ("person_id", "month", "stars", "total", "aspects")
    class AspectsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    STARS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    ASPECTS_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    month: str
    stars: int
    total: float
    aspects: _containers.ScalarMap[str, float]
    def __init__(self, person_id: _Optional[str] = ..., month: _Optional[str] = ..., stars: _Optional[int] = ..., total: _Optional[float] = ..., aspects: _Optional[_Mapping[str, float]] = ...) -> None: ...

class LoanCreated(_message.Message):
    __slots__ = ("loan_id", "station_id", "item_id", "borrower_person_id", "due_at", "quantity")
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    STATION_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    BORROWER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    loan_id: str
    station_id: str
    item_id: str
    borrower_person_id: str
    due_at: _timestamp_pb2.Timestamp
    quantity: int
    def __init__(self, loan_id: _Optional[str] = ..., station_id: _Optional[str] = ..., item_id: _Optional[str] = ..., borrower_person_id: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., quantity: _Optional[int] = ...) -> None: ...

class LoanOverdue(_message.Message):
    __slots__ = ("loan_id", "borrower_person_id", "due_at")
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    BORROWER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    loan_id: str
    borrower_person_id: str
    due_at: _timestamp_pb2.Timestamp
    def __init__(self, loan_id: _Optional[str] = ..., borrower_person_id: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LoanReturned(_message.Message):
    __slots__ = ("loan_id", "condition", "returned_at")
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    RETURNED_AT_FIELD_NUMBER: _ClassVar[int]
    loan_id: str
    condition: str
    returned_at: _timestamp_pb2.Timestamp
    def __init__(self, loan_id: _Optional[str] = ..., condition: _Optional[str] = ..., returned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TaskCancelled(_message.Message):
    __slots__ = ("task_id", "reason", "actor_id")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    reason: str
    actor_id: str
    def __init__(self, task_id: _Optional[str] = ..., reason: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class TaskReminder(_message.Message):
    __slots__ = ("task_id", "volunteer_id", "person_id", "starts_at")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    volunteer_id: str
    person_id: str
    starts_at: _timestamp_pb2.Timestamp
    def __init__(self, task_id: _Optional[str] = ..., volunteer_id: _Optional[str] = ..., person_id: _Optional[str] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LoanDueSoon(_message.Message):
    __slots__ = ("loan_id", "borrower_person_id", "due_at")
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    BORROWER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    loan_id: str
    borrower_person_id: str
    due_at: _timestamp_pb2.Timestamp
    def __init__(self, loan_id: _Optional[str] = ..., borrower_person_id: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HoldReady(_message.Message):
    __slots__ = ("hold_id", "station_id", "item_id", "person_id", "kept_until")
    HOLD_ID_FIELD_NUMBER: _ClassVar[int]
    STATION_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    KEPT_UNTIL_FIELD_NUMBER: _ClassVar[int]
    hold_id: str
    station_id: str
    item_id: str
    person_id: str
    kept_until: _timestamp_pb2.Timestamp
    def __init__(self, hold_id: _Optional[str] = ..., station_id: _Optional[str] = ..., item_id: _Optional[str] = ..., person_id: _Optional[str] = ..., kept_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
