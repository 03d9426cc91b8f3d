import datetime

from civicgrid.grid.v1 import grid_service_pb2 as _grid_service_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UnitCreated(_message.Message):
    __slots__ = ("unit", "ancestor_ids")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    ANCESTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    unit: _grid_service_pb2.Unit
    ancestor_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, unit: _Optional[_Union[_grid_service_pb2.Unit, _Mapping]] = ..., ancestor_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UnitUpdated(_message.Message):
    __slots__ = ("unit", "ancestor_ids", "changed_fields", "old_geometry_geojson", "new_geometry_geojson")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    ANCESTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    OLD_GEOMETRY_GEOJSON_FIELD_NUMBER: _ClassVar[int]
    NEW_GEOMETRY_GEOJSON_FIELD_NUMBER: _ClassVar[int]
    unit: _grid_service_pb2.Unit
    ancestor_ids: _containers.RepeatedScalarFieldContainer[str]
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    old_geometry_geojson: str
    new_geometry_geojson: str
    def __init__(self, unit: _Optional[_Union[_grid_service_pb2.Unit, _Mapping]] = ..., ancestor_ids: _Optional[_Iterable[str]] = ..., changed_fields: _Optional[_Iterable[str]] = ..., old_geometry_geojson: _Optional[str] = ..., new_geometry_geojson: _Optional[str] = ...) -> None: ...

class UnitRetired(_message.Message):
    __slots__ = ("unit_id", "code", "kind", "retired_at")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RETIRED_AT_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    code: str
    kind: _grid_service_pb2.UnitKind
    retired_at: _timestamp_pb2.Timestamp
    def __init__(self, unit_id: _Optional[str] = ..., code: _Optional[str] = ..., kind: _Optional[_Union[_grid_service_pb2.UnitKind, str]] = ..., retired_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DepartmentChanged(_message.Message):
    __slots__ = ("department", "deleted")
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    department: _grid_service_pb2.Department
    deleted: bool
    def __init__(self, department: _Optional[_Union[_grid_service_pb2.Department, _Mapping]] = ..., deleted: _Optional[bool] = ...) -> None: ...

class DistrictImported(_message.Message):
    __slots__ = ("district_unit_id", "district_code", "units_created", "units_updated", "units_retired")
    DISTRICT_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_CODE_FIELD_NUMBER: _ClassVar[int]
    UNITS_CREATED_FIELD_NUMBER: _ClassVar[int]
    UNITS_UPDATED_FIELD_NUMBER: _ClassVar[int]
    UNITS_RETIRED_FIELD_NUMBER: _ClassVar[int]
    district_unit_id: str
    district_code: str
    units_created: int
    units_updated: int
    units_retired: int
    def __init__(self, district_unit_id: _Optional[str] = ..., district_code: _Optional[str] = ..., units_created: _Optional[int] = ..., units_updated: _Optional[int] = ..., units_retired: _Optional[int] = ...) -> None: ...
