import datetime

from civicgrid.notifications.v1 import notifications_service_pb2 as _notifications_service_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AlertRaised(_message.Message):
    __slots__ = ("alert", "policy")
    ALERT_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    alert: _notifications_service_pb2.Alert
    policy: _notifications_service_pb2.AlertPolicy
    def __init__(self, alert: _Optional[_Union[_notifications_service_pb2.Alert, _Mapping]] = ..., policy: _Optional[_Union[_notifications_service_pb2.AlertPolicy, _Mapping]] = ...) -> None: ...

class AlertStepStarted(_message.Message):
    __slots__ = ("alert_id", "step", "reason", "recipients", "started_at")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    step: int
    reason: str
    recipients: int
    started_at: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., step: _Optional[int] = ..., reason: _Optional[str] = ..., recipients: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AlertEscalated(_message.Message):
    __slots__ = ("alert_id", "from_step", "to_step", "reason")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STEP_FIELD_NUMBER: _ClassVar[int]
    TO_STEP_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    from_step: int
    to_step: int
    reason: str
    def __init__(self, alert_id: _Optional[str] = ..., from_step: _Optional[int] = ..., to_step: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class AlertAcknowledged(_message.Message):
    __slots__ = ("alert_id", "responder", "responder_name", "via", "at")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    RESPONDER_NAME_FIELD_NUMBER: _ClassVar[int]
    VIA_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    responder: str
    responder_name: str
    via: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., responder: _Optional[str] = ..., responder_name: _Optional[str] = ..., via: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AlertOnSite(_message.Message):
    __slots__ = ("alert_id", "responder", "at")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    responder: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., responder: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AlertResolved(_message.Message):
    __slots__ = ("alert_id", "outcome", "note", "resolved_by", "at")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    outcome: str
    note: str
    resolved_by: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., outcome: _Optional[str] = ..., note: _Optional[str] = ..., resolved_by: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeliveryFailed(_message.Message):
    __slots__ = ("delivery_id", "event_type", "channel", "recipient", "attempts", "last_error")
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    delivery_id: str
    event_type: str
    channel: str
    recipient: str
    attempts: int
    last_error: str
    def __init__(self, delivery_id: _Optional[str] = ..., event_type: _Optional[str] = ..., channel: _Optional[str] = ..., recipient: _Optional[str] = ..., attempts: _Optional[int] = ..., last_error: _Optional[str] = ...) -> None: ...
