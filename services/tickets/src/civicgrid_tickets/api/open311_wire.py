"""One document tree, two encodings: GeoReport v2 JSON and XML from the same `Open311Document`.

Building each answer once as a tree and serialising it twice keeps the two formats from
drifting apart: a field present in one is present in the other, None is null in JSON and an
empty element in XML, and lists carry the element name XML needs for their items.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeAlias

from civicgrid_tickets.api.open311_errors import Open311ErrorKind, open311_error

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

WireScalar: TypeAlias = str | int | float | bool | datetime | None
WireNode: TypeAlias = "WireScalar | dict[str, WireNode] | WireList"


@dataclass(frozen=True, slots=True)
class WireList:
    """A JSON array; in XML, one `item_tag` element per item inside the parent element."""

    item_tag: str
    items: tuple[WireNode, ...]


@dataclass(frozen=True, slots=True)
class Open311Document:
    root_tag: str  # the XML root element; JSON has no root name
    body: WireNode


class Open311Format(StrEnum):
    JSON = "json"
    XML = "xml"

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self]


_CONTENT_TYPES = {
    Open311Format.JSON: "application/json; charset=utf-8",
    Open311Format.XML: "text/xml; charset=utf-8",
}

# XML is the format GeoReport v2 makes mandatory, so it is the one to answer in when the client
# asked for a format we cannot tell (e.g. services.csv).
FALLBACK_FORMAT = Open311Format.XML


@dataclass(frozen=True, slots=True)
class Open311Response:
    status: int
    content_type: str
    body: bytes


def format_from_suffix(suffix: str) -> Open311Format:
    """`json`/`.json`/`xml`/`.xml` (any case) to a format; anything else is a 404 Open311Error."""
    name = suffix.removeprefix(".").lower()
    try:
        return Open311Format(name)
    except ValueError:
        raise open311_error(
            Open311ErrorKind.UNSUPPORTED_FORMAT,
            f"format: {suffix!r} is not supported; use .json or .xml",
        ) from None


def render_document(
    document: Open311Document, fmt: Open311Format, *, status: int = 200
) -> Open311Response:
    body = _to_json(document) if fmt is Open311Format.JSON else _to_xml(document)
    return Open311Response(status=status, content_type=fmt.content_type, body=body)


def wire_datetime(value: datetime) -> str:
    """ISO 8601 with the zone offset, whole seconds (the W3C profile GeoReport v2 requires)."""
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"Open311 datetimes need a time zone, got naive {value!r}")
    if offset.seconds % 60 or offset.microseconds:
        # Historic zone offsets like +08:05:43 have no W3C spelling; the instant is what matters.
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")


def _to_json(document: Open311Document) -> bytes:
    text = json.dumps(_json_value(document.body), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def _json_value(node: WireNode) -> object:
    if isinstance(node, WireList):
        return [_json_value(item) for item in node.items]
    if isinstance(node, dict):
        return {key: _json_value(child) for key, child in node.items()}
    if isinstance(node, datetime):
        return wire_datetime(node)
    if isinstance(node, str):
        # A lone surrogate cannot be encoded as UTF-8; it can only be damage, so show it as such.
        return _SURROGATES.sub("\ufffd", node)
    return node


def _to_xml(document: Open311Document) -> bytes:
    root = ET.Element(document.root_tag)
    _fill_element(root, document.body)
    return (XML_DECLARATION + ET.tostring(root, encoding="unicode")).encode("utf-8")


def _fill_element(element: ET.Element, node: WireNode) -> None:
    if isinstance(node, WireList):
        for item in node.items:
            _fill_element(ET.SubElement(element, node.item_tag), item)
    elif isinstance(node, dict):
        for tag, child in node.items():
            _fill_element(ET.SubElement(element, tag), child)
    else:
        text = _xml_text(node)
        if text:
            element.text = text


def _xml_text(value: WireScalar) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if isinstance(value, datetime):
        return wire_datetime(value)
    if isinstance(value, float):
        # repr() may use exponent notation (1e-05); XML readers expect plain decimal text.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, int):
        return str(value)
    # ElementTree escapes & < > but would write control characters XML 1.0 forbids,
    # leaving a document no parser accepts.
    return _XML_FORBIDDEN.sub("\ufffd", value)


_SURROGATES = re.compile("[\ud800-\udfff]")
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
