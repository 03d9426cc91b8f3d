import datetime

from civicgrid.common.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Alert(_message.Message):
    __slots__ = ("id", "tenant_id", "person_id", "device_id", "source", "status", "step", "drill", "acknowledged_by", "outcome", "raised_at", "acknowledged_at", "on_site_at", "resolved_at", "grid_id", "address", "location", "person_name")
    ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    DRILL_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    RAISED_AT_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_AT_FIELD_NUMBER: _ClassVar[int]
    ON_SITE_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    GRID_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    PERSON_NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    tenant_id: str
    person_id: str
    device_id: str
    source: str
    status: str
    step: int
    drill: bool
    acknowledged_by: str
    outcome: str
    raised_at: _timestamp_pb2.Timestamp
    acknowledged_at: _timestamp_pb2.Timestamp
    on_site_at: _timestamp_pb2.Timestamp
    resolved_at: _timestamp_pb2.Timestamp
    grid_id: str
    address: str
    location: _common_pb2.GeoPoint
    person_name: str
    def __init__(self, id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., person_id: _Optional[str] = ..., device_id: _Optional[str] = ..., source: _Optional[str] = ..., status: _Optional[str] = ..., step: _Optional[int] = ..., drill: _Optional[bool] = ..., acknowledged_by: _Optional[str] = ..., outcome: _Optional[str] = ..., raised_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., on_site_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., grid_id: _Optional[str] = ..., address: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., person_name: _Optional[str] = ...) -> None: ...

class AlertPolicy(_message.Message):
    __slots__ = ("step1_after_seconds", "step2_after_seconds", "on_site_within_seconds", "volunteers_asked")
    STEP1_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STEP2_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ON_SITE_WITHIN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEERS_ASKED_FIELD_NUMBER: _ClassVar[int]
    step1_after_seconds: int
    step2_after_seconds: int
    on_site_within_seconds: int
    volunteers_asked: int
    def __init__(self, step1_after_seconds: _Optional[int] = ..., step2_after_seconds: _Optional[int] = ..., on_site_within_seconds: _Optional[int] = ..., volunteers_asked: _Optional[int] = ...) -> None: ...

class GetAlertRequest(_message.Message):
    __slots__ = ("alert_id",)
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    def __init__(self, alert_id: _Optional[str] = ...) -> None: ...

class GetAlertResponse(_message.Message):
    __slots__ = ("alert",)
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ...) -> None: ...
