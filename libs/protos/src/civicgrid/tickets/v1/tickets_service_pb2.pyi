import datetime

from civicgrid.common.v1 import common_pb2 as _common_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_WEB: _ClassVar[Channel]
    CHANNEL_HOTLINE: _ClassVar[Channel]
    CHANNEL_PATROL: _ClassVar[Channel]
    CHANNEL_ELDERLY_ALERT: _ClassVar[Channel]
    CHANNEL_OPEN311: _ClassVar[Channel]
CHANNEL_UNSPECIFIED: Channel
CHANNEL_WEB: Channel
CHANNEL_HOTLINE: Channel
CHANNEL_PATROL: Channel
CHANNEL_ELDERLY_ALERT: Channel
CHANNEL_OPEN311: Channel

class Ticket(_message.Message):
    __slots__ = ("id", "tenant_id", "number", "category", "priority", "status", "channel", "description", "location", "address", "grid_id", "ancestor_ids", "level", "owner_unit_id", "owner_department_id", "attributes", "created_at", "updated_at", "acknowledge_due_at", "resolve_due_at", "merged_into", "boundary_neighbour_grid_id", "boundary_distance_m")
    ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    GRID_ID_FIELD_NUMBER: _ClassVar[int]
    ANCESTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    OWNER_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_DEPARTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGE_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_FIELD_NUMBER: _ClassVar[int]
    BOUNDARY_NEIGHBOUR_GRID_ID_FIELD_NUMBER: _ClassVar[int]
    BOUNDARY_DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    id: str
    tenant_id: str
    number: str
    category: str
    priority: str
    status: str
    channel: Channel
    description: str
    location: _common_pb2.GeoPoint
    address: str
    grid_id: str
    ancestor_ids: _containers.RepeatedScalarFieldContainer[str]
    level: str
    owner_unit_id: str
    owner_department_id: str
    attributes: _struct_pb2.Struct
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    acknowledge_due_at: _timestamp_pb2.Timestamp
    resolve_due_at: _timestamp_pb2.Timestamp
    merged_into: str
    boundary_neighbour_grid_id: str
    boundary_distance_m: float
    def __init__(self, id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., number: _Optional[str] = ..., category: _Optional[str] = ..., priority: _Optional[str] = ..., status: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., description: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., address: _Optional[str] = ..., grid_id: _Optional[str] = ..., ancestor_ids: _Optional[_Iterable[str]] = ..., level: _Optional[str] = ..., owner_unit_id: _Optional[str] = ..., owner_department_id: _Optional[str] = ..., attributes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledge_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolve_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., merged_into: _Optional[str] = ..., boundary_neighbour_grid_id: _Optional[str] = ..., boundary_distance_m: _Optional[float] = ...) -> None: ...

class CreateTicketRequest(_message.Message):
    __slots__ = ("idempotency_key", "channel", "category", "priority", "description", "location", "address", "attributes", "reporter_person_id", "contact_name", "contact_phone")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    REPORTER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTACT_PHONE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    channel: Channel
    category: str
    priority: str
    description: str
    location: _common_pb2.GeoPoint
    address: str
    attributes: _struct_pb2.Struct
    reporter_person_id: str
    contact_name: str
    contact_phone: str
    def __init__(self, idempotency_key: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., category: _Optional[str] = ..., priority: _Optional[str] = ..., description: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.GeoPoint, _Mapping]] = ..., address: _Optional[str] = ..., attributes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., reporter_person_id: _Optional[str] = ..., contact_name: _Optional[str] = ..., contact_phone: _Optional[str] = ...) -> None: ...

class CreateTicketResponse(_message.Message):
    __slots__ = ("ticket", "replayed")
    TICKET_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    ticket: Ticket
    replayed: bool
    def __init__(self, ticket: _Optional[_Union[Ticket, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetTicketRequest(_message.Message):
    __slots__ = ("ticket_id",)
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    def __init__(self, ticket_id: _Optional[str] = ...) -> None: ...

class GetTicketResponse(_message.Message):
    __slots__ = ("ticket",)
    TICKET_FIELD_NUMBER: _ClassVar[int]
    ticket: Ticket
    def __init__(self, ticket: _Optional[_Union[Ticket, _Mapping]] = ...) -> None: ...

class ListTicketsRequest(_message.Message):
    __slots__ = ("unit_id", "statuses", "page")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    statuses: _containers.RepeatedScalarFieldContainer[str]
    page: _common_pb2.PageRequest
    def __init__(self, unit_id: _Optional[str] = ..., statuses: _Optional[_Iterable[str]] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListTicketsResponse(_message.Message):
    __slots__ = ("tickets", "page")
    TICKETS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    tickets: _containers.RepeatedCompositeFieldContainer[Ticket]
    page: _common_pb2.PageResponse
    def __init__(self, tickets: _Optional[_Iterable[_Union[Ticket, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageResponse, _Mapping]] = ...) -> None: ...
