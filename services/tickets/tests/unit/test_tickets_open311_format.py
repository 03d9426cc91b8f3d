"""Open311 GeoReport v2 wire format: what Open311 clients read from us and what we accept."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest

from civicgrid_tickets.api.open311_errors import (
    Open311Error,
    Open311ErrorKind,
    open311_error,
    status_for,
)
from civicgrid_tickets.api.open311_format import (
    created_requests_document,
    discovery_document,
    errors_document,
    render_document,
    render_error,
    service_definition_document,
    service_requests_document,
    services_document,
    tokens_document,
)
from civicgrid_tickets.api.open311_model import (
    AttributeDatatype,
    AttributeValue,
    CreatedRequest,
    DiscoveryEndpoint,
    DiscoveryInfo,
    EndpointType,
    Open311Status,
    RequestToken,
    ServiceAttribute,
    ServiceDefinition,
    ServiceInfo,
    ServiceRequestView,
    ServiceType,
)
from civicgrid_tickets.api.open311_query import parse_query
from civicgrid_tickets.api.open311_submission import (
    form_pairs,
    parse_submission,
    submission_service_code,
)
from civicgrid_tickets.api.open311_wire import Open311Document, Open311Format, format_from_suffix

BEIJING = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)
JSON, XML = Open311Format.JSON, Open311Format.XML
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'


def as_json(document: Open311Document) -> Any:
    response = render_document(document, JSON)
    assert response.status == 200
    assert response.content_type == "application/json; charset=utf-8"
    return json.loads(response.body.decode("utf-8"))


def as_xml(document: Open311Document) -> ET.Element:
    response = render_document(document, XML)
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.body.startswith(XML_DECLARATION)
    return parse_xml(response.body)


def parse_xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - our own output, not untrusted input


def fields(element: ET.Element) -> dict[str, str | None]:
    """Child elements by tag; None for an empty element."""
    return {child.tag: child.text for child in element}


# ---------------------------------------------------------------- rendering: discovery, services

DISCOVERY = DiscoveryInfo(
    changeset=datetime(2026, 11, 1, 8, 30, tzinfo=BEIJING),
    contact="Hotline 12345, open311@civicgrid.example",
    key_service="https://civicgrid.example/open311/keys",
    endpoints=(
        DiscoveryEndpoint(
            url="https://civicgrid.example/open311/v2",
            changeset=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            type=EndpointType.PRODUCTION,
        ),
        DiscoveryEndpoint(
            url="https://test.civicgrid.example/open311/v2",
            changeset=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
            type=EndpointType.TEST,
            formats=("text/xml",),
        ),
    ),
)


def test_discovery_lists_every_endpoint_with_spec_url_and_formats_in_both_formats():
    body = as_json(discovery_document(DISCOVERY))
    assert body == {
        "changeset": "2026-11-01T08:30:00+08:00",
        "contact": "Hotline 12345, open311@civicgrid.example",
        "key_service": "https://civicgrid.example/open311/keys",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "https://civicgrid.example/open311/v2",
                "changeset": "2026-11-02T09:00:00+00:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            },
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "https://test.civicgrid.example/open311/v2",
                "changeset": "2026-11-03T09:00:00+00:00",
                "type": "test",
                "formats": ["text/xml"],
            },
        ],
    }

    root = as_xml(discovery_document(DISCOVERY))
    assert root.tag == "discovery"
    assert root.findtext("changeset") == "2026-11-01T08:30:00+08:00"
    assert root.findtext("contact") == DISCOVERY.contact
    assert root.findtext("key_service") == DISCOVERY.key_service
    endpoints = root.findall("endpoints/endpoint")
    assert [e.findtext("type") for e in endpoints] == ["production", "test"]
    assert [f.text for f in endpoints[0].findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert endpoints[1].findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoints[1].findtext("url") == "https://test.civicgrid.example/open311/v2"
    assert endpoints[1].findtext("changeset") == "2026-11-03T09:00:00+00:00"


SERVICES = [
    ServiceInfo(
        service_code="road-damage",
        service_name="道路破损",
        description="Potholes & broken kerbs",
        metadata=True,
        type=ServiceType.REALTIME,
        keywords=("road", "pothole"),
        group="streets",
    ),
    ServiceInfo(
        service_code="noise",
        service_name="Noise",
        description=None,
        metadata=False,
        type=ServiceType.BATCH,
    ),
]


def test_service_list_renders_every_field_and_missing_ones_as_null_or_empty():
    assert as_json(services_document(SERVICES)) == [
        {
            "service_code": "road-damage",
            "service_name": "道路破损",
            "description": "Potholes & broken kerbs",
            "metadata": True,
            "type": "realtime",
            "keywords": "road, pothole",
            "group": "streets",
        },
        {
            "service_code": "noise",
            "service_name": "Noise",
            "description": None,
            "metadata": False,
            "type": "batch",
            "keywords": None,
            "group": None,
        },
    ]

    root = as_xml(services_document(SERVICES))
    assert root.tag == "services"
    first, second = root.findall("service")
    assert fields(first) == {
        "service_code": "road-damage",
        "service_name": "道路破损",
        "description": "Potholes & broken kerbs",
        "metadata": "true",
        "type": "realtime",
        "keywords": "road, pothole",
        "group": "streets",
    }
    assert fields(second) == {
        "service_code": "noise",
        "service_name": "Noise",
        "description": None,
        "metadata": "false",
        "type": "batch",
        "keywords": None,
        "group": None,
    }


def test_empty_service_list_is_an_empty_array_and_an_empty_root():
    assert as_json(services_document([])) == []
    root = as_xml(services_document([]))
    assert root.tag == "services"
    assert list(root) == []


# ---------------------------------------------------------------- rendering: service definition

SIDE = ServiceAttribute(
    code="SIDE",
    datatype=AttributeDatatype.SINGLEVALUELIST,
    description="Which side of the road?",
    order=2,
    required=True,
    values=(AttributeValue("N", "北侧"), AttributeValue("S", "南侧")),
)
HAZARDS = ServiceAttribute(
    code="HAZARDS",
    datatype=AttributeDatatype.MULTIVALUELIST,
    description="What is in the way?",
    order=3,
    values=(AttributeValue("water", "Water"), AttributeValue("glass", "Glass")),
)
DEPTH = ServiceAttribute(
    code="DEPTH",
    datatype=AttributeDatatype.NUMBER,
    description="Depth in cm",
    order=4,
    datatype_description="A number, e.g. 12.5",
)
SEEN = ServiceAttribute(
    code="SEEN", datatype=AttributeDatatype.DATETIME, description="When was it seen?", order=5
)
NOTE = ServiceAttribute(
    code="NOTE", datatype=AttributeDatatype.TEXT, description="Anything else?", order=6
)
HINT = ServiceAttribute(
    code="HINT",
    datatype=AttributeDatatype.STRING,
    description="Emergencies: call 110",
    order=1,
    variable=False,
    required=True,  # information only: must never be demanded from the client
)
ROAD_DAMAGE = ServiceDefinition("road-damage", (SIDE, HAZARDS, DEPTH, SEEN, NOTE, HINT))


def test_service_definition_lists_attributes_in_order_with_their_values():
    body = as_json(service_definition_document(ROAD_DAMAGE))
    assert isinstance(body, dict)
    assert body["service_code"] == "road-damage"
    assert [a["code"] for a in body["attributes"]] == [
        "HINT",
        "SIDE",
        "HAZARDS",
        "DEPTH",
        "SEEN",
        "NOTE",
    ]
    hint, side, _, depth, *_ = body["attributes"]
    assert side == {
        "variable": True,
        "code": "SIDE",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 2,
        "description": "Which side of the road?",
        "values": [{"key": "N", "name": "北侧"}, {"key": "S", "name": "南侧"}],
    }
    assert depth["datatype_description"] == "A number, e.g. 12.5"
    assert depth["values"] == []
    assert hint["variable"] is False

    root = as_xml(service_definition_document(ROAD_DAMAGE))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "road-damage"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == [
        "HINT",
        "SIDE",
        "HAZARDS",
        "DEPTH",
        "SEEN",
        "NOTE",
    ]
    side_xml = attributes[1]
    assert {k: v for k, v in fields(side_xml).items() if k != "values"} == {
        "variable": "true",
        "code": "SIDE",
        "datatype": "singlevaluelist",
        "required": "true",
        "datatype_description": None,
        "order": "2",
        "description": "Which side of the road?",
    }
    assert [fields(v) for v in side_xml.findall("values/value")] == [
        {"key": "N", "name": "北侧"},
        {"key": "S", "name": "南侧"},
    ]
    assert attributes[0].findtext("variable") == "false"
    depth_values = attributes[3].find("values")
    assert depth_values is not None and list(depth_values) == []


def test_a_list_attribute_without_values_is_refused_when_built():
    with pytest.raises(ValueError, match="needs values"):
        ServiceAttribute("X", AttributeDatatype.SINGLEVALUELIST, "?", order=1)
    with pytest.raises(ValueError, match="takes no values"):
        ServiceAttribute("X", AttributeDatatype.STRING, "?", 1, values=(AttributeValue("a", "A"),))


# ---------------------------------------------------------------- rendering: service requests

FULL_REQUEST = ServiceRequestView(
    service_request_id="T-2026-000123",
    status=Open311Status.OPEN,
    status_notes="Crew assigned",
    service_name="道路破损",
    service_code="road-damage",
    description='Hole "20cm" deep <near> Lane 5 & school',
    agency_responsible="District roads office",
    service_notice="Usually fixed within 3 days",
    requested_datetime=datetime(2026, 11, 20, 9, 15, 30, tzinfo=BEIJING),
    updated_datetime=datetime(2026, 11, 21, 1, 0, 0, 123456, tzinfo=UTC),
    expected_datetime=datetime(2026, 11, 23, 18, 0, tzinfo=timezone(timedelta(hours=-5))),
    address="朝阳区 幸福路 5号",
    address_id="addr-77",
    zipcode="100020",
    lat=39.91234,
    long=116.000001,
    media_url="https://media.civicgrid.example/p/123.jpg",
)
EMPTY_REQUEST = ServiceRequestView(
    service_request_id="T-2026-000124",
    status=Open311Status.CLOSED,
    service_code="noise",
    service_name=None,
    requested_datetime=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC),
)
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def test_service_requests_render_every_field_with_zoned_datetimes():
    full, empty = as_json(service_requests_document([FULL_REQUEST, EMPTY_REQUEST]))
    assert list(full) == REQUEST_FIELDS
    assert full == {
        "service_request_id": "T-2026-000123",
        "status": "open",
        "status_notes": "Crew assigned",
        "service_name": "道路破损",
        "service_code": "road-damage",
        "description": 'Hole "20cm" deep <near> Lane 5 & school',
        "agency_responsible": "District roads office",
        "service_notice": "Usually fixed within 3 days",
        "requested_datetime": "2026-11-20T09:15:30+08:00",
        "updated_datetime": "2026-11-21T01:00:00+00:00",
        "expected_datetime": "2026-11-23T18:00:00-05:00",
        "address": "朝阳区 幸福路 5号",
        "address_id": "addr-77",
        "zipcode": "100020",
        "lat": 39.91234,
        "long": 116.000001,
        "media_url": "https://media.civicgrid.example/p/123.jpg",
    }
    assert empty["status"] == "closed"
    assert empty["requested_datetime"] == "2026-11-20T01:02:03+00:00"

    root = as_xml(service_requests_document([FULL_REQUEST, EMPTY_REQUEST]))
    assert root.tag == "service_requests"
    full_xml, _ = root.findall("request")
    assert list(fields(full_xml)) == REQUEST_FIELDS
    # XML text equals the JSON value for every field: the two formats cannot drift apart.
    assert fields(full_xml) == {key: str(value) for key, value in full.items()}
    assert datetime.fromisoformat(full_xml.findtext("requested_datetime") or "") == (
        FULL_REQUEST.requested_datetime
    )


def test_missing_fields_are_null_in_json_exactly_where_they_are_empty_elements_in_xml():
    (as_json_request,) = as_json(service_requests_document([EMPTY_REQUEST]))
    (as_xml_request,) = as_xml(service_requests_document([EMPTY_REQUEST])).findall("request")
    xml_fields = fields(as_xml_request)
    assert list(xml_fields) == REQUEST_FIELDS  # empty fields are present, not left out
    null_in_json = {key for key, value in as_json_request.items() if value is None}
    empty_in_xml = {key for key, value in xml_fields.items() if value is None}
    assert null_in_json == empty_in_xml
    assert "lat" in null_in_json and "updated_datetime" in null_in_json
    assert (
        b"<status_notes />" in render_document(service_requests_document([EMPTY_REQUEST]), XML).body
    )


def test_coordinates_are_plain_decimal_text_in_xml_and_numbers_in_json():
    tiny = ServiceRequestView(
        service_request_id="1",
        status=Open311Status.OPEN,
        service_code="x",
        service_name="x",
        requested_datetime=NOW,
        lat=0.00001,
        long=-1e-7,
    )
    request = as_xml(service_requests_document([tiny])).find("request")
    assert request is not None
    assert request.findtext("lat") == "0.00001"
    assert request.findtext("long") == "-0.0000001"
    (json_request,) = as_json(service_requests_document([tiny]))
    assert json_request["lat"] == 0.00001 and json_request["long"] == -1e-7


def test_naive_datetimes_and_non_finite_coordinates_are_refused():
    naive = ServiceRequestView(
        service_request_id="1",
        status=Open311Status.OPEN,
        service_code="x",
        service_name="x",
        requested_datetime=datetime(2026, 11, 26, 10, 0),
    )
    with pytest.raises(ValueError, match="time zone"):
        render_document(service_requests_document([naive]), JSON)
    with pytest.raises(ValueError, match="time zone"):
        render_document(service_requests_document([naive]), XML)
    with pytest.raises(ValueError, match="lat"):
        ServiceRequestView("1", Open311Status.OPEN, "x", "x", NOW, lat=float("nan"))


def test_created_request_answers_with_the_id_or_with_the_token():
    created = [
        CreatedRequest(service_request_id="T-1", service_notice="Thanks", account_id="acc-9"),
        CreatedRequest(token="tok-42"),
    ]
    assert as_json(created_requests_document(created)) == [
        {"service_request_id": "T-1", "service_notice": "Thanks", "account_id": "acc-9"},
        {"token": "tok-42", "service_notice": None, "account_id": None},
    ]
    root = as_xml(created_requests_document(created))
    assert root.tag == "service_requests"
    assert [fields(r) for r in root.findall("request")] == [
        {"service_request_id": "T-1", "service_notice": "Thanks", "account_id": "acc-9"},
        {"token": "tok-42", "service_notice": None, "account_id": None},
    ]
    with pytest.raises(ValueError):
        CreatedRequest()
    with pytest.raises(ValueError):
        CreatedRequest(service_request_id="T-1", token="tok-42")


def test_token_lookup_shows_the_request_id_once_it_exists():
    tokens = [RequestToken("tok-1", "T-7"), RequestToken("tok-2")]
    assert as_json(tokens_document(tokens)) == [
        {"service_request_id": "T-7", "token": "tok-1"},
        {"service_request_id": None, "token": "tok-2"},
    ]
    root = as_xml(tokens_document(tokens))
    assert root.tag == "service_requests"
    assert [fields(r) for r in root.findall("request")] == [
        {"service_request_id": "T-7", "token": "tok-1"},
        {"service_request_id": None, "token": "tok-2"},
    ]


# ---------------------------------------------------------------- escaping

COMPARED = ("service_code", "service_name", "keywords", "group")
NASTY = "a < b && c > d \"quoted\" 'single' ]]> 报修 路灯不亮 😀"


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_markup_quotes_and_chinese_survive_a_round_trip(fmt: Open311Format):
    service = ServiceInfo("c&d", NASTY, NASTY, True, ServiceType.BLACKBOX, ("路灯", "<x>"), NASTY)
    response = render_document(services_document([service]), fmt)
    if fmt is JSON:
        (item,) = json.loads(response.body)
        read = {key: item[key] for key in COMPARED}
    else:
        assert b"&lt;" in response.body and b"&amp;&amp;" in response.body
        item_xml = parse_xml(response.body).find("service")
        assert item_xml is not None
        read = {key: fields(item_xml)[key] for key in COMPARED}
    assert read == {
        "service_code": "c&d",
        "service_name": NASTY,
        "keywords": "路灯, <x>",
        "group": NASTY,
    }
    # Non-ASCII goes out as UTF-8 text, not as escapes.
    assert "报修 路灯不亮".encode() in response.body


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_control_characters_never_make_the_document_unreadable(fmt: Open311Format):
    text = "bell\x07 vt\x0b ok\ttab\nline broken\ud800"
    view = ServiceRequestView("1", Open311Status.OPEN, "x", "x", NOW, description=text)
    body = render_document(service_requests_document([view]), fmt).body
    if fmt is JSON:
        description = json.loads(body)[0]["description"]
        # JSON carries control characters escaped; a lone surrogate has no UTF-8 form at all.
        assert description == "bell\x07 vt\x0b ok\ttab\nline broken\ufffd"
    else:
        description = parse_xml(body).findtext("request/description")
        assert description == "bell\ufffd vt\ufffd ok\ttab\nline broken\ufffd"


def test_historic_offsets_with_seconds_are_written_as_utc():
    local_mean_time = timezone(timedelta(hours=8, minutes=5, seconds=43))
    view = ServiceRequestView(
        "1", Open311Status.OPEN, "x", "x", datetime(1900, 1, 1, 8, 5, 43, tzinfo=local_mean_time)
    )
    (item,) = as_json(service_requests_document([view]))
    assert item["requested_datetime"] == "1900-01-01T00:00:00+00:00"


# ---------------------------------------------------------------- errors and formats


def test_errors_render_as_the_spec_error_list_with_the_status_to_send():
    error = open311_error(Open311ErrorKind.INVALID_API_KEY, "api_key: <unknown> & revoked")
    as_json_response = render_error(error, JSON)
    assert as_json_response.status == 403
    assert as_json_response.content_type == "application/json; charset=utf-8"
    assert json.loads(as_json_response.body) == [
        {"code": 403, "description": "api_key: <unknown> & revoked"}
    ]

    as_xml_response = render_error(error, XML)
    assert as_xml_response.status == 403
    assert as_xml_response.body.startswith(XML_DECLARATION)
    root = parse_xml(as_xml_response.body)
    assert root.tag == "errors"
    assert [fields(e) for e in root.findall("error")] == [
        {"code": "403", "description": "api_key: <unknown> & revoked"}
    ]

    several = errors_document([Open311Error(400, "lat: not a number"), Open311Error(400, "x: y")])
    assert as_json(several) == [
        {"code": 400, "description": "lat: not a number"},
        {"code": 400, "description": "x: y"},
    ]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (Open311ErrorKind.MISSING_PARAMETER, 400),
        (Open311ErrorKind.INVALID_PARAMETER, 400),
        (Open311ErrorKind.INVALID_API_KEY, 403),
        (Open311ErrorKind.UNKNOWN_JURISDICTION, 404),
        (Open311ErrorKind.UNKNOWN_SERVICE_CODE, 404),
        (Open311ErrorKind.UNKNOWN_SERVICE_REQUEST, 404),
        (Open311ErrorKind.UNKNOWN_TOKEN, 404),
        (Open311ErrorKind.UNSUPPORTED_FORMAT, 404),
    ],
)
def test_each_error_kind_has_the_status_the_spec_gives_it(kind: Open311ErrorKind, status: int):
    assert status_for(kind) == status
    assert open311_error(kind, "x: y").status == status


@pytest.mark.parametrize(
    ("suffix", "fmt"), [("json", JSON), (".json", JSON), ("xml", XML), (".XML", XML)]
)
def test_path_suffix_selects_the_format(suffix: str, fmt: Open311Format):
    assert format_from_suffix(suffix) is fmt


def test_unknown_path_suffix_is_not_found():
    with pytest.raises(Open311Error) as raised:
        format_from_suffix(".csv")
    assert raised.value.status == 404
    assert raised.value.description.startswith("format:")
    assert "csv" in raised.value.description


# ---------------------------------------------------------------- POST requests: parsing


def body(**extra: str) -> list[tuple[str, str]]:
    base = {"api_key": "k-1", "service_code": "road-damage", "lat": "39.9", "long": "116.4"}
    base.update({"attribute[SIDE]": "N"})
    base.update(extra)
    return list(base.items())


def rejected(pairs: list[tuple[str, str]], **options: bool) -> Open311Error:
    with pytest.raises(Open311Error) as raised:
        parse_submission(pairs, ROAD_DAMAGE, **options)
    return raised.value


def test_a_complete_form_body_parses_into_typed_fields():
    raw = urlencode(
        [
            ("api_key", "k-1"),
            ("jurisdiction_id", "chaoyang"),
            ("service_code", "road-damage"),
            ("lat", "39.91234"),
            ("long", "-116.5"),
            ("address_string", "幸福路 5号"),
            ("address_id", "addr-77"),
            ("attribute[SIDE]", "S"),
            ("attribute[HAZARDS][]", "glass"),
            ("attribute[HAZARDS][]", "water"),
            ("attribute[DEPTH]", "12.5"),
            ("attribute[SEEN]", "2026-11-26T08:00:00+08:00"),
            ("attribute[NOTE]", "Near the <school> & the bus stop"),
            ("email", "li@example.cn"),
            ("device_id", "dev-1"),
            ("account_id", "acc-1"),
            ("first_name", "小明"),
            ("last_name", "李"),
            ("phone", "+86 10 1234 5678"),
            ("description", "路面有坑\nDeep hole"),
            ("media_url", "https://img.example/1.jpg"),
            ("page", "2"),  # extensions this server does not know are ignored
        ]
    ).encode()
    pairs = form_pairs(raw)
    assert submission_service_code(pairs) == "road-damage"
    submission = parse_submission(pairs, ROAD_DAMAGE)

    assert submission.service_code == "road-damage"
    assert submission.jurisdiction_id == "chaoyang"
    assert submission.api_key == "k-1"
    assert (submission.lat, submission.long) == (39.91234, -116.5)
    assert submission.address_string == "幸福路 5号"
    assert submission.address_id == "addr-77"
    assert submission.attributes == {
        "SIDE": "S",
        "HAZARDS": ("glass", "water"),
        "DEPTH": Decimal("12.5"),
        "SEEN": datetime(2026, 11, 26, 8, 0, tzinfo=BEIJING),
        "NOTE": "Near the <school> & the bus stop",
    }
    seen = submission.attributes["SEEN"]
    assert isinstance(seen, datetime) and seen.utcoffset() == timedelta(hours=8)
    assert submission.email == "li@example.cn"
    assert submission.device_id == "dev-1"
    assert submission.account_id == "acc-1"
    assert (submission.first_name, submission.last_name) == ("小明", "李")
    assert submission.phone == "+86 10 1234 5678"
    assert submission.description == "路面有坑\nDeep hole"
    assert submission.media_url == "https://img.example/1.jpg"


def test_address_alone_is_enough_and_absent_optional_fields_are_none():
    pairs = [("api_key", "k"), ("service_code", "noise"), ("address_string", "Lane 5")]
    submission = parse_submission(pairs, ServiceDefinition("noise"))
    assert submission.address_string == "Lane 5"
    assert submission.lat is None and submission.long is None and submission.address_id is None
    assert submission.attributes == {}
    assert submission.email is None and submission.description is None
    assert submission.media_url is None


def test_multivaluelist_takes_repeated_keys_in_either_spelling_without_duplicates():
    pairs = [
        *body(**{"attribute[HAZARDS][]": "water"}),
        ("attribute[HAZARDS]", "glass"),
        ("attribute[HAZARDS][]", "water"),
    ]
    assert parse_submission(pairs, ROAD_DAMAGE).attributes["HAZARDS"] == ("water", "glass")


def test_unencoded_plus_in_a_zone_offset_is_understood():
    # "+08:00" sent without percent-encoding arrives as " 08:00".
    raw = b"api_key=k&service_code=road-damage&address_id=a&attribute[SIDE]=N"
    pairs = form_pairs(raw + b"&attribute[SEEN]=2026-11-26T08:00:00+08:00")
    seen = parse_submission(pairs, ROAD_DAMAGE).attributes["SEEN"]
    assert seen == datetime(2026, 11, 26, 8, 0, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("pairs", "status", "description"),
    [
        ([("service_code", "road-damage"), ("lat", "1"), ("long", "2")], 403, "api_key: required"),
        (body(lat="", long=""), 400, "lat: required, or give address_string or address_id"),
        (body(long=""), 400, "long: required when lat is given"),
        (body(lat=""), 400, "lat: required when long is given"),
        (body(lat="abc"), 400, "lat: not a number"),
        (body(lat="nan"), 400, "lat: not a number"),
        (body(lat="1_0"), 400, "lat: not a number"),
        (body(lat="90.5"), 400, "lat: must be between -90 and 90"),
        (body(long="-180.01"), 400, "long: must be between -180 and 180"),
        (body(**{"attribute[SIDE]": ""}), 400, "attribute[SIDE]: required"),
        (body(**{"attribute[SIDE]": "E"}), 400, "attribute[SIDE]: 'E' is not one of: N, S"),
        (
            body(**{"attribute[HAZARDS][]": "fire"}),
            400,
            "attribute[HAZARDS]: 'fire' is not one of: water, glass",
        ),
        (body(**{"attribute[DEPTH]": "deep"}), 400, "attribute[DEPTH]: not a number"),
        (body(**{"attribute[DEPTH]": "Infinity"}), 400, "attribute[DEPTH]: not a number"),
        (
            body(**{"attribute[SEEN]": "2026-11-26T08:00:00"}),
            400,
            "attribute[SEEN]: needs a time zone offset, e.g. 2026-11-26T10:00:00+08:00",
        ),
        (
            body(**{"attribute[SEEN]": "yesterday"}),
            400,
            "attribute[SEEN]: not an ISO 8601 datetime, e.g. 2026-11-26T10:00:00+08:00",
        ),
        (
            body(**{"attribute[COLOUR]": "red"}),
            400,
            "attribute[COLOUR]: service road-damage has no such attribute",
        ),
        (body(**{"attribute[HINT]": "x"}), 400, "attribute[HINT]: is information only"),
        (body(**{"attribute[SIDE": "N"}), 400, "attribute[SIDE: not of the form attribute[code]"),
        (body(description="x" * 4001), 400, "description: longer than 4000 characters"),
        (body(media_url="javascript:alert(1)"), 400, "media_url: not an http or https URL"),
        (body(media_url="/relative.jpg"), 400, "media_url: not an http or https URL"),
        (
            body(media_url="javascript://img.example/%0Aalert(1)"),
            400,
            "media_url: not an http or https URL",
        ),
    ],
)
def test_bad_bodies_are_refused_naming_the_parameter(
    pairs: list[tuple[str, str]], status: int, description: str
):
    error = rejected(pairs)
    assert error.status == status
    assert error.description.startswith(description)


def test_a_value_given_twice_for_a_single_value_parameter_is_refused():
    assert rejected([*body(), ("lat", "40")]).description == "lat: given more than once"
    assert rejected([*body(), ("attribute[SIDE]", "S")]).description == (
        "attribute[SIDE]: takes one value"
    )


def test_description_of_exactly_the_limit_is_accepted():
    assert parse_submission(body(description="路" * 4000), ROAD_DAMAGE).description == "路" * 4000


def test_jurisdiction_and_api_key_requirements_follow_the_route_options():
    without_key = [(k, v) for k, v in body() if k != "api_key"]
    assert parse_submission(without_key, ROAD_DAMAGE, require_api_key=False).api_key is None
    error = rejected(body(), require_jurisdiction=True)
    assert (error.status, error.description) == (400, "jurisdiction_id: required")


def test_a_definition_for_another_service_is_a_programming_error():
    with pytest.raises(ValueError, match="definition of noise given for road-damage"):
        parse_submission(body(), ServiceDefinition("noise"))


def test_service_code_is_read_first_and_must_be_present():
    with pytest.raises(Open311Error) as raised:
        submission_service_code([("lat", "1"), ("service_code", "  ")])
    assert (raised.value.status, raised.value.description) == (400, "service_code: required")
    with pytest.raises(Open311Error, match="service_code: given more than once"):
        submission_service_code([("service_code", "a"), ("service_code", "b")])


def test_form_bodies_that_are_not_utf8_or_too_large_are_refused():
    with pytest.raises(Open311Error, match="body: not UTF-8"):
        form_pairs(b"description=%FF%FE")
    with pytest.raises(Open311Error, match="body: not UTF-8"):
        form_pairs(b"description=\xff")
    with pytest.raises(Open311Error, match="body: more than 3 fields"):
        form_pairs(b"a=1&b=2&c=3&d=4", max_fields=3)
    assert form_pairs(b"first_name=%E5%B0%8F%E6%98%8E&x=&x=2") == [
        ("first_name", "小明"),
        ("x", ""),
        ("x", "2"),
    ]


# ---------------------------------------------------------------- GET requests: query parsing


def test_no_parameters_means_the_last_90_days_and_at_most_1000_results():
    query = parse_query([], now=NOW)
    assert (query.start, query.end) == (NOW - timedelta(days=90), NOW)
    assert query.limit == 1000
    assert query.service_request_ids == () and query.service_codes == () and query.statuses == ()
    assert query.jurisdiction_id is None


def test_filters_parse_comma_separated_and_repeated_values():
    query = parse_query(
        [
            ("jurisdiction_id", "chaoyang"),
            ("service_code", "road-damage,noise"),
            ("service_code", "lights"),
            ("status", "open,CLOSED,open"),
            ("start_date", "2026-11-01T00:00:00+08:00"),
            ("end_date", "2026-11-26T10:00:00Z"),
        ],
        now=NOW,
    )
    assert query.jurisdiction_id == "chaoyang"
    assert query.service_codes == ("road-damage", "noise", "lights")
    assert query.statuses == (Open311Status.OPEN, Open311Status.CLOSED)
    assert query.start == datetime(2026, 11, 1, tzinfo=BEIJING)
    assert query.end == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert query.start is not None and query.start.utcoffset() == timedelta(hours=8)


def test_one_sided_ranges_are_filled_to_one_window():
    start = datetime(2026, 1, 1, tzinfo=BEIJING)
    only_start = parse_query([("start_date", "2026-01-01T00:00:00+08:00")], now=NOW)
    assert (only_start.start, only_start.end) == (start, start + timedelta(days=90))
    only_end = parse_query([("end_date", "2026-01-01T00:00:00+08:00")], now=NOW)
    assert (only_end.start, only_end.end) == (start - timedelta(days=90), start)


def test_service_request_ids_override_every_other_filter():
    query = parse_query(
        [("service_request_id", "T-1,T-2"), ("status", "bogus"), ("start_date", "garbage")],
        now=NOW,
    )
    assert query.service_request_ids == ("T-1", "T-2")
    assert query.statuses == () and query.start is None and query.end is None


def test_server_policy_for_window_and_result_count_is_configurable():
    query = parse_query([], now=NOW, window=timedelta(days=7), max_results=50)
    assert (query.start, query.end, query.limit) == (NOW - timedelta(days=7), NOW, 50)
    with pytest.raises(Open311Error, match="service_request_id: more than 2 ids"):
        parse_query([("service_request_id", "a,b,c")], now=NOW, max_results=2)


@pytest.mark.parametrize(
    ("pairs", "description"),
    [
        (
            [("start_date", "2026-11-26T10:00:00+08:00"), ("end_date", "2026-11-26T01:59:59Z")],
            "end_date: before start_date",
        ),
        (
            [("start_date", "2026-01-01T00:00:00Z"), ("end_date", "2026-04-02T00:00:00Z")],
            "end_date: more than 90 days after start_date",
        ),
        ([("start_date", "2026-11-26")], "start_date: needs a time zone offset"),
        ([("end_date", "26/11/2026")], "end_date: not an ISO 8601 datetime"),
        ([("status", "open,pending")], "status: 'pending' is not one of: open, closed"),
        ([("start_date", "a"), ("start_date", "b")], "start_date: given more than once"),
    ],
)
def test_bad_queries_are_refused_naming_the_parameter(
    pairs: list[tuple[str, str]], description: str
):
    with pytest.raises(Open311Error) as raised:
        parse_query(pairs, now=NOW)
    assert raised.value.status == 400
    assert raised.value.description.startswith(description)


def test_exactly_one_window_is_allowed_and_an_unencoded_plus_is_understood():
    query = parse_query(
        [("start_date", "2026-01-01T00:00:00 08:00"), ("end_date", "2026-04-01T00:00:00 08:00")],
        now=NOW,
    )
    assert query.start == datetime(2026, 1, 1, tzinfo=BEIJING)
    assert query.end == datetime(2026, 4, 1, tzinfo=BEIJING)


def test_jurisdiction_can_be_required():
    with pytest.raises(Open311Error, match="jurisdiction_id: required"):
        parse_query([], now=NOW, require_jurisdiction=True)
