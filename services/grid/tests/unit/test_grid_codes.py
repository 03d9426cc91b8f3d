"""Unit codes: the 15-digit grid scheme and the parent-code-plus-suffix scheme below it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid_grid.domain.codes import ancestor_codes, child_code, validate_code
from civicgrid_grid.domain.units import ALLOWED_PARENT, UnitKind

K = UnitKind


@pytest.mark.parametrize(
    ("kind", "code", "parent"),
    [
        (K.DISTRICT, "370102", None),
        (K.STREET, "370102001", "370102"),
        (K.COMMUNITY, "370102001002", "370102001"),
        (K.GRID, "370102001002003", "370102001002"),
        (K.COMPOUND, "370102001002-Q1", "370102001002"),
        (K.BUILDING, "370102001002003-B12", "370102001002003"),
        (K.BUILDING, "370102001002-Q1-B3", "370102001002-Q1"),
        (K.UNIT, "370102001002003-B12-U2", "370102001002003-B12"),
        (K.HOUSEHOLD, "370102001002003-B12-U2-H301", "370102001002003-B12-U2"),
        (K.HOUSEHOLD, "370102001002003-B12-H1", "370102001002003-B12"),
    ],
)
def test_well_formed_codes_pass(kind: UnitKind, code: str, parent: str | None) -> None:
    assert validate_code(kind, code, parent) is None


@pytest.mark.parametrize(
    ("kind", "code", "parent", "words"),
    [
        (K.DISTRICT, "37010", None, "6-digit"),
        (K.DISTRICT, "370102", "370100", "no parent"),
        (K.STREET, "370102001", None, "needs a parent_code"),
        (K.GRID, "37010200100200", "370102001002", "15 digits"),
        (K.GRID, "3701020010020AB", "370102001002", "15 digits"),
        (K.GRID, "370102001009003", "370102001002", "followed by 3 digits"),
        (K.COMMUNITY, "370102001002", "370102", "followed by 3 digits"),
        (K.BUILDING, "370102001002004-B1", "370102001002003", "hyphen"),
        (K.BUILDING, "370102001002003B1", "370102001002003", "hyphen"),
        (K.UNIT, "370102001002003-B1-", "370102001002003-B1", "hyphen"),
        (K.UNIT, "370102001002003-B1-单元", "370102001002003-B1", "letters or digits"),
        (K.HOUSEHOLD, "", "370102001002003-B1", "empty"),
    ],
)
def test_malformed_codes_are_named(
    kind: UnitKind, code: str, parent: str | None, words: str
) -> None:
    reason = validate_code(kind, code, parent)
    assert reason is not None and words in reason


def test_ancestors_are_spelled_out_by_the_code_itself() -> None:
    assert ancestor_codes("370102001002003-B12-U2") == [
        "370102001002003-B12",
        "370102001002003",
        "370102001002",
        "370102001",
        "370102",
    ]
    # A compound's building names the compound and the community, not a grid.
    assert ancestor_codes("370102001002-Q1-B3") == [
        "370102001002-Q1",
        "370102001002",
        "370102001",
        "370102",
    ]
    assert ancestor_codes("370102") == []


def test_child_code_refuses_a_local_part_the_scheme_cannot_carry() -> None:
    assert child_code("370102001002003", "B7") == "370102001002003-B7"
    with pytest.raises(ValueError, match="letters or digits"):
        child_code("370102001002003", "B-7")


def test_every_kind_but_the_district_has_a_parent_kind() -> None:
    assert ALLOWED_PARENT[K.DISTRICT] == frozenset()
    assert all(ALLOWED_PARENT[k] for k in K if k is not K.DISTRICT)


@given(
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.lists(st.from_regex(r"[0-9]{3}", fullmatch=True), min_size=3, max_size=3),
    st.lists(st.from_regex(r"[0-9A-Za-z]{1,12}", fullmatch=True), min_size=3, max_size=3),
)
def test_codes_built_by_the_scheme_always_validate_and_unwind(
    district: str, tiers: list[str], locals_: list[str]
) -> None:
    street, community, grid = (
        district + tiers[0],
        district + tiers[0] + tiers[1],
        district + "".join(tiers),
    )
    building = child_code(grid, locals_[0])
    unit = child_code(building, locals_[1])
    household = child_code(unit, locals_[2])
    chain = [
        (K.STREET, street, district),
        (K.COMMUNITY, community, street),
        (K.GRID, grid, community),
        (K.BUILDING, building, grid),
        (K.UNIT, unit, building),
        (K.HOUSEHOLD, household, unit),
    ]
    for kind, code, parent in chain:
        assert validate_code(kind, code, parent) is None
    assert ancestor_codes(household) == [unit, building, grid, community, street, district]
