import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UnitKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNIT_KIND_UNSPECIFIED: _ClassVar[UnitKind]
    UNIT_KIND_DISTRICT: _ClassVar[UnitKind]
    UNIT_KIND_STREET: _ClassVar[UnitKind]
    UNIT_KIND_COMMUNITY: _ClassVar[UnitKind]
    UNIT_KIND_COMPOUND: _ClassVar[UnitKind]
    UNIT_KIND_GRID: _ClassVar[UnitKind]
    UNIT_KIND_BUILDING: _ClassVar[UnitKind]
    UNIT_KIND_UNIT: _ClassVar[UnitKind]
    UNIT_KIND_HOUSEHOLD: _ClassVar[UnitKind]
UNIT_KIND_UNSPECIFIED: UnitKind
UNIT_KIND_DISTRICT: UnitKind
UNIT_KIND_STREET: UnitKind
UNIT_KIND_COMMUNITY: UnitKind
UNIT_KIND_COMPOUND: UnitKind
UNIT_KIND_GRID: UnitKind
UNIT_KIND_BUILDING: UnitKind
UNIT_KIND_UNIT: UnitKind
UNIT_KIND_HOUSEHOLD: UnitKind

class Unit(_message.Message):
    __slots__ = ("id", "tenant_id", "kind", "code", "name", "parent_id", "address", "attributes", "geometry_geojson", "version", "valid_from", "valid_to")
    ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    GEOMETRY_GEOJSON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    id: str
    tenant_id: str
    kind: UnitKind
    code: str
    name: str
    parent_id: str
    address: str
    attributes: _struct_pb2.Struct
    geometry_geojson: str
    version: int
    valid_from: _timestamp_pb2.Timestamp
    valid_to: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., kind: _Optional[_Union[UnitKind, str]] = ..., code: _Optional[str] = ..., name: _Optional[str] = ..., parent_id: _Optional[str] = ..., address: _Optional[str] = ..., attributes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., geometry_geojson: _Optional[str] = ..., version: _Optional[int] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BoundaryWarning(_message.Message):
    __slots__ = ("neighbour", "distance_m")
    NEIGHBOUR_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    neighbour: Unit
    distance_m: float
    def __init__(self, neighbour: _Optional[_Union[Unit, _Mapping]] = ..., distance_m: _Optional[float] = ...) -> None: ...

class ResolvePointRequest(_message.Message):
    __slots__ = ("lat", "lon", "boundary_distance_m")
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    BOUNDARY_DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    lat: float
    lon: float
    boundary_distance_m: float
    def __init__(self, lat: _Optional[float] = ..., lon: _Optional[float] = ..., boundary_distance_m: _Optional[float] = ...) -> None: ...

class ResolvePointResponse(_message.Message):
    __slots__ = ("grid", "ancestors", "building", "boundary_warning")
    GRID_FIELD_NUMBER: _ClassVar[int]
    ANCESTORS_FIELD_NUMBER: _ClassVar[int]
    BUILDING_FIELD_NUMBER: _ClassVar[int]
    BOUNDARY_WARNING_FIELD_NUMBER: _ClassVar[int]
    grid: Unit
    ancestors: _containers.RepeatedCompositeFieldContainer[Unit]
    building: Unit
    boundary_warning: BoundaryWarning
    def __init__(self, grid: _Optional[_Union[Unit, _Mapping]] = ..., ancestors: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ..., building: _Optional[_Union[Unit, _Mapping]] = ..., boundary_warning: _Optional[_Union[BoundaryWarning, _Mapping]] = ...) -> None: ...

class ResolveAddressRequest(_message.Message):
    __slots__ = ("text", "limit")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    text: str
    limit: int
    def __init__(self, text: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class AddressCandidate(_message.Message):
    __slots__ = ("unit", "score", "ancestors")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    ANCESTORS_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    score: float
    ancestors: _containers.RepeatedCompositeFieldContainer[Unit]
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ..., score: _Optional[float] = ..., ancestors: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ...) -> None: ...

class ResolveAddressResponse(_message.Message):
    __slots__ = ("candidates",)
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    candidates: _containers.RepeatedCompositeFieldContainer[AddressCandidate]
    def __init__(self, candidates: _Optional[_Iterable[_Union[AddressCandidate, _Mapping]]] = ...) -> None: ...

class GetUnitRequest(_message.Message):
    __slots__ = ("unit_id", "as_of")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, unit_id: _Optional[str] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetUnitResponse(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ...) -> None: ...

class GetAncestorsRequest(_message.Message):
    __slots__ = ("unit_id",)
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    def __init__(self, unit_id: _Optional[str] = ...) -> None: ...

class GetAncestorsResponse(_message.Message):
    __slots__ = ("ancestors",)
    ANCESTORS_FIELD_NUMBER: _ClassVar[int]
    ancestors: _containers.RepeatedCompositeFieldContainer[Unit]
    def __init__(self, ancestors: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ...) -> None: ...

class ListChildrenRequest(_message.Message):
    __slots__ = ("unit_id",)
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    def __init__(self, unit_id: _Optional[str] = ...) -> None: ...

class ListChildrenResponse(_message.Message):
    __slots__ = ("children",)
    CHILDREN_FIELD_NUMBER: _ClassVar[int]
    children: _containers.RepeatedCompositeFieldContainer[Unit]
    def __init__(self, children: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ...) -> None: ...

class ListDescendantsRequest(_message.Message):
    __slots__ = ("unit_id", "kinds", "page_size", "page_token")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    kinds: _containers.RepeatedScalarFieldContainer[UnitKind]
    page_size: int
    page_token: str
    def __init__(self, unit_id: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[UnitKind, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDescendantsResponse(_message.Message):
    __slots__ = ("units", "next_page_token")
    UNITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    units: _containers.RepeatedCompositeFieldContainer[Unit]
    next_page_token: str
    def __init__(self, units: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SearchUnitsRequest(_message.Message):
    __slots__ = ("query", "kinds", "limit")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    query: str
    kinds: _containers.RepeatedScalarFieldContainer[UnitKind]
    limit: int
    def __init__(self, query: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[UnitKind, str]]] = ..., limit: _Optional[int] = ...) -> None: ...

class SearchUnitsResponse(_message.Message):
    __slots__ = ("units",)
    UNITS_FIELD_NUMBER: _ClassVar[int]
    units: _containers.RepeatedCompositeFieldContainer[Unit]
    def __init__(self, units: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ...) -> None: ...

class Department(_message.Message):
    __slots__ = ("id", "tenant_id", "name", "contact", "jurisdiction_unit_ids", "categories")
    ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_UNIT_IDS_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    id: str
    tenant_id: str
    name: str
    contact: str
    jurisdiction_unit_ids: _containers.RepeatedScalarFieldContainer[str]
    categories: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., name: _Optional[str] = ..., contact: _Optional[str] = ..., jurisdiction_unit_ids: _Optional[_Iterable[str]] = ..., categories: _Optional[_Iterable[str]] = ...) -> None: ...

class RouteCategoryRequest(_message.Message):
    __slots__ = ("category", "unit_id")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    category: str
    unit_id: str
    def __init__(self, category: _Optional[str] = ..., unit_id: _Optional[str] = ...) -> None: ...

class RouteCategoryResponse(_message.Message):
    __slots__ = ("departments",)
    DEPARTMENTS_FIELD_NUMBER: _ClassVar[int]
    departments: _containers.RepeatedCompositeFieldContainer[Department]
    def __init__(self, departments: _Optional[_Iterable[_Union[Department, _Mapping]]] = ...) -> None: ...
