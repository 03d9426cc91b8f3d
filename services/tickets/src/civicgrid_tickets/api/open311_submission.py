"""POST requests.{format}: an application/x-www-form-urlencoded body to an `Open311Submission`.

Parsing takes two steps because the attributes can only be checked against the definition of
the service the body names, which the route has to look up in between:

    pairs = form_pairs(body)
    definition = await load_definition(submission_service_code(pairs))  # 404 if unknown
    submission = parse_submission(pairs, definition)

A service without metadata is passed as `ServiceDefinition(code)`: it takes no attributes.
The first problem found is raised as an `Open311Error` naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias
from urllib.parse import parse_qsl, urlsplit

from civicgrid_tickets.api.open311_errors import Open311ErrorKind, open311_error
from civicgrid_tickets.api.open311_model import (
    AttributeDatatype,
    ServiceAttribute,
    ServiceDefinition,
)
from civicgrid_tickets.api.open311_values import (
    group_pairs,
    invalid,
    missing,
    parse_coordinate,
    parse_decimal,
    parse_zoned_datetime,
    single_value,
)

# string/text/singlevaluelist -> str, number -> Decimal, datetime -> aware datetime,
# multivaluelist -> the chosen keys in the order given.
AttributeAnswer: TypeAlias = str | Decimal | datetime | tuple[str, ...]

DESCRIPTION_MAX_LENGTH = 4000  # "limited to 4,000 characters" (GeoReport v2)
MAX_FORM_FIELDS = 1000

# attribute[CODE]=v, and attribute[CODE][]=v repeated for a multivaluelist.
_ATTRIBUTE_KEY = re.compile(r"attribute\[([^\[\]]+)\](?:\[\])?")


@dataclass(frozen=True, slots=True)
class Open311Submission:
    service_code: str
    jurisdiction_id: str | None
    api_key: str | None
    # Where: lat and long together, and/or address_string, and/or address_id.
    lat: float | None
    long: float | None
    address_string: str | None
    address_id: str | None
    attributes: Mapping[str, AttributeAnswer]
    email: str | None
    device_id: str | None
    account_id: str | None
    first_name: str | None
    last_name: str | None
    phone: str | None
    description: str | None
    media_url: str | None


def form_pairs(body: bytes, *, max_fields: int = MAX_FORM_FIELDS) -> list[tuple[str, str]]:
    """Decode a form body, keeping repeated keys in order."""
    try:
        text = body.decode("utf-8")
        return parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=max_fields,
        )
    except UnicodeDecodeError:
        raise invalid("body", "not UTF-8 form data") from None
    except ValueError:  # parse_qsl's only other complaint: too many fields
        raise invalid("body", f"more than {max_fields} fields") from None


def submission_service_code(pairs: Sequence[tuple[str, str]]) -> str:
    """The service the body is for, so the route can load its definition."""
    code = single_value(group_pairs(pairs), "service_code")
    if code is None:
        raise missing("service_code")
    return code


def parse_submission(
    pairs: Sequence[tuple[str, str]],
    definition: ServiceDefinition,
    *,
    require_api_key: bool = True,
    require_jurisdiction: bool = False,
    max_description_length: int = DESCRIPTION_MAX_LENGTH,
) -> Open311Submission:
    grouped = group_pairs(pairs)
    api_key = single_value(grouped, "api_key")
    if require_api_key and api_key is None:
        # GeoReport v2 answers a missing key like a wrong one: 403.
        raise open311_error(Open311ErrorKind.INVALID_API_KEY, "api_key: required")
    service_code = submission_service_code(pairs)
    if service_code != definition.service_code:
        raise ValueError(f"definition of {definition.service_code} given for {service_code}")
    jurisdiction_id = single_value(grouped, "jurisdiction_id")
    if require_jurisdiction and jurisdiction_id is None:
        raise missing("jurisdiction_id")
    lat, long = _coordinates(grouped)
    address_string = single_value(grouped, "address_string")
    address_id = single_value(grouped, "address_id")
    if lat is None and address_string is None and address_id is None:
        raise missing("lat", "required, or give address_string or address_id")
    description = single_value(grouped, "description")
    if description is not None and len(description) > max_description_length:
        raise invalid("description", f"longer than {max_description_length} characters")
    media_url = single_value(grouped, "media_url")
    if media_url is not None:
        _check_media_url(media_url)
    return Open311Submission(
        service_code=service_code,
        jurisdiction_id=jurisdiction_id,
        api_key=api_key,
        lat=lat,
        long=long,
        address_string=address_string,
        address_id=address_id,
        attributes=_attribute_answers(grouped, definition),
        email=single_value(grouped, "email"),
        device_id=single_value(grouped, "device_id"),
        account_id=single_value(grouped, "account_id"),
        first_name=single_value(grouped, "first_name"),
        last_name=single_value(grouped, "last_name"),
        phone=single_value(grouped, "phone"),
        description=description,
        media_url=media_url,
    )


def _coordinates(grouped: dict[str, list[str]]) -> tuple[float | None, float | None]:
    lat_text = single_value(grouped, "lat")
    long_text = single_value(grouped, "long")
    if lat_text is None and long_text is None:
        return None, None
    if lat_text is None:
        raise missing("lat", "required when long is given")
    if long_text is None:
        raise missing("long", "required when lat is given")
    return (
        parse_coordinate("lat", lat_text, limit=90),
        parse_coordinate("long", long_text, limit=180),
    )


def _check_media_url(url: str) -> None:
    # Other clients will show this as a link; only web addresses, never javascript: or data:.
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise invalid("media_url", "not an http or https URL")


def _attribute_answers(
    grouped: dict[str, list[str]], definition: ServiceDefinition
) -> dict[str, AttributeAnswer]:
    given: dict[str, list[str]] = {}
    for key, values in grouped.items():
        if key != "attribute" and not key.startswith("attribute["):
            continue
        match = _ATTRIBUTE_KEY.fullmatch(key)
        if match is None:
            raise invalid(key, "not of the form attribute[code] or attribute[code][]")
        given.setdefault(match.group(1), []).extend(values)

    answers: dict[str, AttributeAnswer] = {}
    for code, values in given.items():
        attribute = definition.attribute(code)
        parameter = f"attribute[{code}]"
        if attribute is None:
            raise invalid(parameter, f"service {definition.service_code} has no such attribute")
        if not attribute.variable:
            raise invalid(parameter, "is information only and takes no value")
        answers[code] = _answer(attribute, parameter, values)
    for attribute in sorted(definition.attributes, key=lambda a: a.order):
        if attribute.variable and attribute.required and attribute.code not in answers:
            raise missing(f"attribute[{attribute.code}]")
    return answers


def _answer(attribute: ServiceAttribute, parameter: str, values: list[str]) -> AttributeAnswer:
    if attribute.datatype is AttributeDatatype.MULTIVALUELIST:
        chosen = tuple(dict.fromkeys(values))
        for key in chosen:
            _check_key(attribute, parameter, key)
        return chosen
    if len(values) > 1:
        raise invalid(parameter, "takes one value")
    (text,) = values
    match attribute.datatype:
        case AttributeDatatype.NUMBER:
            return parse_decimal(parameter, text)
        case AttributeDatatype.DATETIME:
            return parse_zoned_datetime(parameter, text)
        case AttributeDatatype.SINGLEVALUELIST:
            _check_key(attribute, parameter, text)
            return text
        case _:  # string, text
            return text


def _check_key(attribute: ServiceAttribute, parameter: str, key: str) -> None:
    allowed = [value.key for value in attribute.values]
    if key not in allowed:
        raise invalid(parameter, f"{key!r} is not one of: {', '.join(allowed)}")
