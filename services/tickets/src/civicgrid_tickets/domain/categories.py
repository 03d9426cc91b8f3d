"""What a resident can report: a district's categories, their attributes (Open311's service
definitions use the same shape), default priority, and who handles them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civicgrid_platform.errors import InvalidInput

PRIORITIES = ("P0", "P1", "P2", "P3")
DATATYPES = frozenset({"string", "text", "number", "datetime", "singlevaluelist", "multivaluelist"})
HANDLERS = frozenset({"grid", "department"})
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@dataclass(frozen=True, slots=True)
class AttributeDef:
    code: str
    datatype: str
    required: bool = False
    description: str = ""
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for the list datatypes


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    default_priority: str
    handled_by: str = "grid"
    description: str = ""
    attributes: tuple[AttributeDef, ...] = field(default_factory=tuple)


def category_from_dict(data: Mapping[str, Any], *, field_prefix: str = "") -> Category:
    """A category as an admin sends it; every problem names its field."""

    def bad(name: str, detail: str) -> InvalidInput:
        return InvalidInput(detail, field=f"{field_prefix}{name}")

    code = data.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise bad("code", "a lower-case code of 2-64 letters, digits or _")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise bad("name", "a name of 1-200 characters")
    priority = data.get("default_priority", "P2")
    if priority not in PRIORITIES:
        raise bad("default_priority", f"one of {', '.join(PRIORITIES)}")
    handled_by = data.get("handled_by", "grid")
    if handled_by not in HANDLERS:
        raise bad("handled_by", "grid or department")
    raw = data.get("attributes", [])
    if not isinstance(raw, list):
        raise bad("attributes", "a list of attribute definitions")
    attributes = tuple(_attribute(a, f"{field_prefix}attributes.{n}") for n, a in enumerate(raw))
    codes = [a.code for a in attributes]
    if len(set(codes)) != len(codes):
        raise bad("attributes", "attribute codes must be unique")
    return Category(
        code, name.strip(), priority, handled_by, str(data.get("description", "")), attributes
    )


def _attribute(data: Any, where: str) -> AttributeDef:
    if not isinstance(data, Mapping):
        raise InvalidInput("an attribute definition object", field=where)
    code, datatype = data.get("code"), data.get("datatype")
    if not isinstance(code, str) or not _CODE.match(code):
        raise InvalidInput("a lower-case code of 2-64 letters, digits or _", field=f"{where}.code")
    if datatype not in DATATYPES:
        raise InvalidInput(f"one of {', '.join(sorted(DATATYPES))}", field=f"{where}.datatype")
    values: list[tuple[str, str]] = []
    for n, v in enumerate(data.get("values") or []):
        if not isinstance(v, Mapping) or not str(v.get("key", "")).strip():
            raise InvalidInput("{key, name} with a key", field=f"{where}.values.{n}")
        values.append((str(v["key"]), str(v.get("name", v["key"]))))
    if datatype.endswith("valuelist") and not values:
        raise InvalidInput("a list datatype needs its values", field=f"{where}.values")
    return AttributeDef(
        code,
        datatype,
        bool(data.get("required", False)),
        str(data.get("description", "")),
        tuple(values),
    )


def category_to_dict(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "description": category.description,
        "default_priority": category.default_priority,
        "handled_by": category.handled_by,
        "attributes": [
            {
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "description": a.description,
                "values": [{"key": k, "name": n} for k, n in a.values],
            }
            for a in category.attributes
        ],
    }


def check_attributes(category: Category, given: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted attribute values, checked against the category; unknown codes refused."""
    known = {a.code: a for a in category.attributes}
    for code in given:
        if code not in known:
            raise InvalidInput(
                f"{category.code} has no attribute {code}", field=f"attributes.{code}"
            )
    checked: dict[str, Any] = {}
    for a in category.attributes:
        value = given.get(a.code)
        if value is None or value == "" or value == []:
            if a.required:
                raise InvalidInput("required", field=f"attributes.{a.code}")
            continue
        checked[a.code] = _value(a, value)
    return checked


def _value(a: AttributeDef, value: Any) -> Any:
    where = f"attributes.{a.code}"
    keys = {k for k, _ in a.values}
    if a.datatype == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidInput("a number", field=where)
        try:
            return float(value)
        except ValueError:
            raise InvalidInput("a number", field=where) from None
    if a.datatype == "datetime":
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput("an ISO 8601 date and time", field=where) from None
        if moment.tzinfo is None:
            raise InvalidInput("an ISO 8601 date and time with its zone", field=where)
        return moment.isoformat()
    if a.datatype == "singlevaluelist":
        if str(value) not in keys:
            raise InvalidInput(f"one of {', '.join(sorted(keys))}", field=where)
        return str(value)
    if a.datatype == "multivaluelist":
        items = value if isinstance(value, list) else [value]
        if not items or any(str(v) not in keys for v in items):
            raise InvalidInput(f"values among {', '.join(sorted(keys))}", field=where)
        return [str(v) for v in items]
    if not isinstance(value, str) or len(value) > 2000:
        raise InvalidInput("text of at most 2,000 characters", field=where)
    return value


def _yes_no(code: str, description: str, required: bool = False) -> dict[str, Any]:
    values = [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]
    return {
        "code": code,
        "datatype": "singlevaluelist",
        "required": required,
        "description": description,
        "values": values,
    }


DEFAULT_CATALOGUE: Sequence[Mapping[str, Any]] = (
    {"code": "roads", "name": "道路破损", "default_priority": "P2"},
    {
        "code": "lighting",
        "name": "路灯故障",
        "default_priority": "P2",
        "attributes": [{"code": "pole_number", "datatype": "string", "description": "灯杆编号"}],
    },
    {
        "code": "heating",
        "name": "供暖问题",
        "default_priority": "P1",
        "handled_by": "department",
        "attributes": [
            {"code": "indoor_temperature", "datatype": "number", "description": "室内温度 (°C)"}
        ],
    },
    {"code": "parking", "name": "占道停车", "default_priority": "P3"},
    {"code": "sanitation", "name": "环境卫生", "default_priority": "P3"},
    {
        "code": "elevator",
        "name": "电梯故障",
        "default_priority": "P1",
        "handled_by": "department",
        "attributes": [_yes_no("people_trapped", "是否有人被困", required=True)],
    },
    {"code": "water", "name": "供水问题", "default_priority": "P1", "handled_by": "department"},
    {"code": "dispute", "name": "邻里纠纷", "default_priority": "P2"},
    {
        "code": "accessibility",
        "name": "无障碍设施",
        "default_priority": "P2",
        "attributes": [_yes_no("wheelchair_user", "是否轮椅使用者")],
    },
    {"code": "safety", "name": "安全隐患", "default_priority": "P1"},
    {"code": "elderly_alert", "name": "独居老人紧急求助", "default_priority": "P0"},
    {"code": "other", "name": "其他", "default_priority": "P3"},
)
