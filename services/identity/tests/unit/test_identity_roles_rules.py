"""Who may grant what where, who sees full phone numbers, and how numbers are masked."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid_identity.domain.access import (
    can_manage_care,
    can_manage_people,
    can_read_people,
    may_read_other_tenant,
)
from civicgrid_identity.domain.model import PHONE_RE
from civicgrid_identity.domain.roles import (
    PLATFORM_ADMIN,
    ROLES,
    STAFF_ROLES,
    TENANT_ADMIN,
    Binding,
    can_grant,
    covers,
    mask_phone,
    may_see_phone,
)

# A slice of the hierarchy: community > grid > building; "elsewhere" is unrelated.
COMMUNITY, GRID, BUILDING, ELSEWHERE = (uuid.uuid4() for _ in range(4))
BUILDING_ANCESTORS = [GRID, COMMUNITY]  # nearest first, as identity learns it from the grid


class TestCovers:
    def test_a_tenant_wide_binding_reaches_every_unit_and_the_whole_tenant(self):
        assert covers(None, BUILDING, [])
        assert covers(None, None, [])

    def test_a_unit_binding_reaches_the_unit_itself_and_its_descendants(self):
        assert covers(GRID, GRID, [])
        assert covers(GRID, BUILDING, BUILDING_ANCESTORS)
        assert covers(COMMUNITY, BUILDING, BUILDING_ANCESTORS)

    def test_a_unit_binding_does_not_reach_unrelated_units_parents_or_the_whole_tenant(self):
        assert not covers(GRID, ELSEWHERE, [COMMUNITY])
        assert not covers(BUILDING, GRID, [COMMUNITY])  # a parent is not below
        assert not covers(GRID, None, [])

    def test_unknown_ancestry_counts_only_an_exact_match(self):
        assert not covers(GRID, BUILDING, [])


class TestCanGrant:
    def test_tenant_wide_admin_grants_anywhere(self):
        admin = [Binding(TENANT_ADMIN, None)]
        assert can_grant(admin, "grid_leader", ELSEWHERE, [])
        assert can_grant(admin, "grid_leader", BUILDING, [])
        assert can_grant(admin, "info_officer", None, [])
        assert can_grant(admin, TENANT_ADMIN, None, [])

    def test_unit_admin_grants_at_their_unit_and_below_once_ancestry_is_known(self):
        admin = [Binding(TENANT_ADMIN, COMMUNITY)]
        assert can_grant(admin, "grid_leader", COMMUNITY, [])
        assert can_grant(admin, "grid_leader", BUILDING, BUILDING_ANCESTORS)
        assert can_grant(admin, TENANT_ADMIN, GRID, [COMMUNITY])

    def test_unit_admin_is_refused_elsewhere_above_tenant_wide_and_without_ancestry(self):
        admin = [Binding(TENANT_ADMIN, GRID)]
        assert not can_grant(admin, "grid_leader", ELSEWHERE, [COMMUNITY])
        assert not can_grant(admin, "grid_leader", COMMUNITY, [])
        assert not can_grant(admin, "grid_leader", None, [])
        assert not can_grant(admin, "grid_leader", BUILDING, [])

    def test_one_matching_binding_among_several_is_enough(self):
        admin = [Binding("grid_leader", ELSEWHERE), Binding(TENANT_ADMIN, GRID)]
        assert can_grant(admin, "volunteer", BUILDING, BUILDING_ANCESTORS)

    @pytest.mark.parametrize("role", sorted(STAFF_ROLES | {"resident", "volunteer"}))
    def test_roles_other_than_admins_grant_nothing_even_where_they_hold_it(self, role: str):
        assert not can_grant([Binding(role, None)], "volunteer", None, [])
        assert not can_grant([Binding(role, GRID)], "volunteer", GRID, [])

    def test_nobody_but_a_platform_admin_makes_a_platform_admin(self):
        for grantor in ([Binding(TENANT_ADMIN, None)], [Binding(TENANT_ADMIN, GRID)], []):
            assert not can_grant(grantor, PLATFORM_ADMIN, None, [])
            assert not can_grant(grantor, PLATFORM_ADMIN, GRID, [])
        assert can_grant([Binding(PLATFORM_ADMIN, None)], PLATFORM_ADMIN, None, [])

    def test_platform_admin_grants_every_role_anywhere(self):
        platform = [Binding(PLATFORM_ADMIN, None)]
        for role in ROLES:
            assert can_grant(platform, role, ELSEWHERE, [])


class TestAccess:
    def test_case_working_staff_and_admins_read_people_others_do_not(self):
        for role in STAFF_ROLES | {TENANT_ADMIN, PLATFORM_ADMIN}:
            assert can_read_people([role]), role
        for role in ("resident", "volunteer", "department_agent"):
            assert not can_read_people([role]), role
        assert not can_read_people([])

    def test_only_admins_manage_people(self):
        assert can_manage_people([TENANT_ADMIN])
        assert can_manage_people(["resident", PLATFORM_ADMIN])
        assert not can_manage_people(["grid_leader", "city_officer"])

    def test_care_data_is_managed_by_the_person_staff_and_admins(self):
        assert can_manage_care(["resident"], is_self=True)
        assert can_manage_care(["grid_leader"], is_self=False)
        assert not can_manage_care(["resident", "volunteer"], is_self=False)

    def test_only_city_officers_read_other_districts_and_only_in_their_city(self):
        assert may_read_other_tenant(["city_officer"], "Jinan", "Jinan")
        assert not may_read_other_tenant(["city_officer"], "Jinan", "Qingdao")
        assert not may_read_other_tenant(["district_officer", TENANT_ADMIN], "Jinan", "Jinan")


class TestPhones:
    def test_full_numbers_for_the_person_staff_and_admins(self):
        assert may_see_phone([], viewer_is_subject=True)
        assert may_see_phone(["grid_leader"], viewer_is_subject=False)
        assert may_see_phone([TENANT_ADMIN], viewer_is_subject=False)
        assert not may_see_phone(["resident", "volunteer"], viewer_is_subject=False)

    @pytest.mark.parametrize(
        ("phone", "masked"),
        [
            ("+8613812345678", "+86*******5678"),
            ("13812345678", "138****5678"),
            ("12345678", "123*5678"),
            ("1234567", "1**4567"),
            ("123456", "1*3456"),
            ("1234", "****"),
            ("", ""),
            (None, None),
        ],
    )
    def test_mask_keeps_a_short_prefix_and_the_last_four_digits(self, phone, masked):
        assert mask_phone(phone) == masked

    @given(st.from_regex(PHONE_RE, fullmatch=True))
    def test_every_valid_number_is_masked_and_keeps_its_length(self, phone: str):
        masked = mask_phone(phone)
        assert masked is not None
        assert len(masked) == len(phone)
        assert masked.endswith(phone[-4:])
        assert "*" in masked
        hidden = re.sub(r"[^*]", "", masked)
        assert len(hidden) >= len(phone) - 7
