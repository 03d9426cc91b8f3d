import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PartyCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARTY_CATEGORY_UNSPECIFIED: _ClassVar[PartyCategory]
    PARTY_CATEGORY_DIRECT: _ClassVar[PartyCategory]
    PARTY_CATEGORY_DUAL: _ClassVar[PartyCategory]
    PARTY_CATEGORY_TAKEOVER: _ClassVar[PartyCategory]
    PARTY_CATEGORY_FLOATING: _ClassVar[PartyCategory]
    PARTY_CATEGORY_FOCUSED: _ClassVar[PartyCategory]

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_SMS: _ClassVar[Channel]
    CHANNEL_VOICE: _ClassVar[Channel]
    CHANNEL_APP: _ClassVar[Channel]
    CHANNEL_EMAIL: _ClassVar[Channel]
PARTY_CATEGORY_UNSPECIFIED: PartyCategory
PARTY_CATEGORY_DIRECT: PartyCategory
PARTY_CATEGORY_DUAL: PartyCategory
PARTY_CATEGORY_TAKEOVER: PartyCategory
PARTY_CATEGORY_FLOATING: PartyCategory
PARTY_CATEGORY_FOCUSED: PartyCategory
CHANNEL_UNSPECIFIED: Channel
CHANNEL_SMS: Channel
CHANNEL_VOICE: Channel
CHANNEL_APP: Channel
CHANNEL_EMAIL: Channel

class RoleBinding(_message.Message):
    __slots__ = ("role", "unit_id")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    role: str
    unit_id: str
    def __init__(self, role: _Optional[str] = ..., unit_id: _Optional[str] = ...) -> None: ...

class Person(_message.Message):
    __slots__ = ("id", "tenant_id", "display_name", "phone", "email", "party_category", "party_branch", "living_alone", "status", "roles", "created_at", "locale")
    ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PARTY_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PARTY_BRANCH_FIELD_NUMBER: _ClassVar[int]
    LIVING_ALONE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    id: str
    tenant_id: str
    display_name: str
    phone: str
    email: str
    party_category: PartyCategory
    party_branch: str
    living_alone: bool
    status: str
    roles: _containers.RepeatedCompositeFieldContainer[RoleBinding]
    created_at: _timestamp_pb2.Timestamp
    locale: str
    def __init__(self, id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., display_name: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ..., party_category: _Optional[_Union[PartyCategory, str]] = ..., party_branch: _Optional[str] = ..., living_alone: _Optional[bool] = ..., status: _Optional[str] = ..., roles: _Optional[_Iterable[_Union[RoleBinding, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., locale: _Optional[str] = ...) -> None: ...

class GetPersonRequest(_message.Message):
    __slots__ = ("person_id",)
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    def __init__(self, person_id: _Optional[str] = ...) -> None: ...

class GetPersonResponse(_message.Message):
    __slots__ = ("person",)
    PERSON_FIELD_NUMBER: _ClassVar[int]
    person: Person
    def __init__(self, person: _Optional[_Union[Person, _Mapping]] = ...) -> None: ...

class BatchGetPeopleRequest(_message.Message):
    __slots__ = ("person_ids",)
    PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    person_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, person_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchGetPeopleResponse(_message.Message):
    __slots__ = ("people", "missing_ids")
    PEOPLE_FIELD_NUMBER: _ClassVar[int]
    MISSING_IDS_FIELD_NUMBER: _ClassVar[int]
    people: _containers.RepeatedCompositeFieldContainer[Person]
    missing_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, people: _Optional[_Iterable[_Union[Person, _Mapping]]] = ..., missing_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListRoleHoldersRequest(_message.Message):
    __slots__ = ("unit_id", "role", "include_ancestors", "ancestor_unit_ids")
    UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ANCESTORS_FIELD_NUMBER: _ClassVar[int]
    ANCESTOR_UNIT_IDS_FIELD_NUMBER: _ClassVar[int]
    unit_id: str
    role: str
    include_ancestors: bool
    ancestor_unit_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, unit_id: _Optional[str] = ..., role: _Optional[str] = ..., include_ancestors: _Optional[bool] = ..., ancestor_unit_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RoleHolder(_message.Message):
    __slots__ = ("person", "binding")
    PERSON_FIELD_NUMBER: _ClassVar[int]
    BINDING_FIELD_NUMBER: _ClassVar[int]
    person: Person
    binding: RoleBinding
    def __init__(self, person: _Optional[_Union[Person, _Mapping]] = ..., binding: _Optional[_Union[RoleBinding, _Mapping]] = ...) -> None: ...

class ListRoleHoldersResponse(_message.Message):
    __slots__ = ("holders",)
    HOLDERS_FIELD_NUMBER: _ClassVar[int]
    holders: _containers.RepeatedCompositeFieldContainer[RoleHolder]
    def __init__(self, holders: _Optional[_Iterable[_Union[RoleHolder, _Mapping]]] = ...) -> None: ...

class EmergencyContact(_message.Message):
    __slots__ = ("id", "position", "name", "relation", "phone", "preferred_channel")
    ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RELATION_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    id: str
    position: int
    name: str
    relation: str
    phone: str
    preferred_channel: Channel
    def __init__(self, id: _Optional[str] = ..., position: _Optional[int] = ..., name: _Optional[str] = ..., relation: _Optional[str] = ..., phone: _Optional[str] = ..., preferred_channel: _Optional[_Union[Channel, str]] = ...) -> None: ...

class GetEmergencyContactsRequest(_message.Message):
    __slots__ = ("person_id",)
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    def __init__(self, person_id: _Optional[str] = ...) -> None: ...

class GetEmergencyContactsResponse(_message.Message):
    __slots__ = ("contacts",)
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    contacts: _containers.RepeatedCompositeFieldContainer[EmergencyContact]
    def __init__(self, contacts: _Optional[_Iterable[_Union[EmergencyContact, _Mapping]]] = ...) -> None: ...

class ResolveDeviceRequest(_message.Message):
    __slots__ = ("device_id", "signature", "payload", "include_emergency_contacts")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_EMERGENCY_CONTACTS_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    signature: str
    payload: bytes
    include_emergency_contacts: bool
    def __init__(self, device_id: _Optional[str] = ..., signature: _Optional[str] = ..., payload: _Optional[bytes] = ..., include_emergency_contacts: _Optional[bool] = ...) -> None: ...

class ResolveDeviceResponse(_message.Message):
    __slots__ = ("device_id", "person_id", "tenant_id", "emergency_contacts")
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    EMERGENCY_CONTACTS_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    person_id: str
    tenant_id: str
    emergency_contacts: _containers.RepeatedCompositeFieldContainer[EmergencyContact]
    def __init__(self, device_id: _Optional[str] = ..., person_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., emergency_contacts: _Optional[_Iterable[_Union[EmergencyContact, _Mapping]]] = ...) -> None: ...
