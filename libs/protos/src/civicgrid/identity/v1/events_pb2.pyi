import datetime

from civicgrid.identity.v1 import identity_service_pb2 as _identity_service_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TenantCreated(_message.Message):
    __slots__ = ("tenant_id", "slug", "name", "city", "timezone", "locale")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    slug: str
    name: str
    city: str
    timezone: str
    locale: str
    def __init__(self, tenant_id: _Optional[str] = ..., slug: _Optional[str] = ..., name: _Optional[str] = ..., city: _Optional[str] = ..., timezone: _Optional[str] = ..., locale: _Optional[str] = ...) -> None: ...

class PersonRegistered(_message.Message):
    __slots__ = ("person_id", "display_name", "invited", "living_alone", "party_category", "party_branch", "registered_at")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    INVITED_FIELD_NUMBER: _ClassVar[int]
    LIVING_ALONE_FIELD_NUMBER: _ClassVar[int]
    PARTY_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PARTY_BRANCH_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    display_name: str
    invited: bool
    living_alone: bool
    party_category: _identity_service_pb2.PartyCategory
    party_branch: str
    registered_at: _timestamp_pb2.Timestamp
    def __init__(self, person_id: _Optional[str] = ..., display_name: _Optional[str] = ..., invited: _Optional[bool] = ..., living_alone: _Optional[bool] = ..., party_category: _Optional[_Union[_identity_service_pb2.PartyCategory, str]] = ..., party_branch: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PersonUpdated(_message.Message):
    __slots__ = ("person_id", "changed_fields", "living_alone", "party_category", "party_branch", "display_name")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    LIVING_ALONE_FIELD_NUMBER: _ClassVar[int]
    PARTY_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PARTY_BRANCH_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    living_alone: bool
    party_category: _identity_service_pb2.PartyCategory
    party_branch: str
    display_name: str
    def __init__(self, person_id: _Optional[str] = ..., changed_fields: _Optional[_Iterable[str]] = ..., living_alone: _Optional[bool] = ..., party_category: _Optional[_Union[_identity_service_pb2.PartyCategory, str]] = ..., party_branch: _Optional[str] = ..., display_name: _Optional[str] = ...) -> None: ...

class RoleGranted(_message.Message):
    __slots__ = ("person_id", "binding", "granted_by", "binding_id")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    BINDING_FIELD_NUMBER: _ClassVar[int]
    GRANTED_BY_FIELD_NUMBER: _ClassVar[int]
    BINDING_ID_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    binding: _identity_service_pb2.RoleBinding
    granted_by: str
    binding_id: str
    def __init__(self, person_id: _Optional[str] = ..., binding: _Optional[_Union[_identity_service_pb2.RoleBinding, _Mapping]] = ..., granted_by: _Optional[str] = ..., binding_id: _Optional[str] = ...) -> None: ...

class RoleRevoked(_message.Message):
    __slots__ = ("person_id", "binding", "revoked_by", "binding_id")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    BINDING_FIELD_NUMBER: _ClassVar[int]
    REVOKED_BY_FIELD_NUMBER: _ClassVar[int]
    BINDING_ID_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    binding: _identity_service_pb2.RoleBinding
    revoked_by: str
    binding_id: str
    def __init__(self, person_id: _Optional[str] = ..., binding: _Optional[_Union[_identity_service_pb2.RoleBinding, _Mapping]] = ..., revoked_by: _Optional[str] = ..., binding_id: _Optional[str] = ...) -> None: ...

class DeviceBound(_message.Message):
    __slots__ = ("device_id", "person_id")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    person_id: str
    def __init__(self, device_id: _Optional[str] = ..., person_id: _Optional[str] = ...) -> None: ...
