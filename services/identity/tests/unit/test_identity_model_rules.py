"""What a district's and a person's data must look like; refusals name the offending field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from civicgrid_identity.api import schemas
from civicgrid_identity.domain.model import (
    normalise_phone,
    normalise_username,
    validate_locale,
    validate_password,
    validate_slug,
    validate_timezone,
)
from civicgrid_platform.errors import InvalidInput


def refused_field(call, *args) -> str | None:
    with pytest.raises(InvalidInput) as refused:
        call(*args)
    return refused.value.field


class TestSlug:
    @pytest.mark.parametrize("slug", ["abc", "lixia-district", "x" * 63, "2nd-ring"])
    def test_valid(self, slug: str):
        assert validate_slug(slug) == slug

    @pytest.mark.parametrize(
        "slug", ["ab", "d1", "x" * 64, "Lixia", "-abc", "abc-", "a_b_c", "ab c", ""]
    )
    def test_invalid(self, slug: str):
        assert refused_field(validate_slug, slug) == "slug"

    def test_the_api_schema_accepts_exactly_the_same_slugs(self):
        for slug in ("abc", "lixia-district", "x" * 63):
            assert schemas.TenantCreate(slug=slug, name="n", city="c").slug == slug
        for slug in ("ab", "x" * 64, "Lixia", "-abc", "abc-", "abc\n"):
            with pytest.raises(ValidationError):
                schemas.TenantCreate(slug=slug, name="n", city="c")


class TestPhone:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("+86 138 1234 5678", "+8613812345678"),
            ("138-1234-5678", "13812345678"),
            ("(0531) 8888 1234", "053188881234"),
            ("123456", "123456"),
            ("+123456789012345", "+123456789012345"),
        ],
    )
    def test_separators_are_dropped(self, typed: str, stored: str):
        assert normalise_phone(typed) == stored

    @pytest.mark.parametrize(
        "typed",
        ["12345", "1234567890123456", "call me", "+86 138 1234 567x", "++8613812345678", ""],
    )
    def test_invalid_numbers_are_refused(self, typed: str):
        assert refused_field(normalise_phone, typed) == "phone"

    def test_the_caller_names_the_field(self):
        assert refused_field(normalise_phone, "nope", "contacts.2.phone") == "contacts.2.phone"


class TestUsername:
    def test_emails_are_trimmed_and_case_folded(self):
        assert normalise_username("  Wang.Fang@Example.ORG ") == "wang.fang@example.org"

    def test_phone_numbers_are_normalised_like_at_registration(self):
        assert normalise_username(" +86 138-1234-5678 ") == normalise_phone("+8613812345678")

    def test_anything_else_is_refused_as_the_username(self):
        assert refused_field(normalise_username, "wangfang") == "username"


class TestPassword:
    @pytest.mark.parametrize(
        "password", ["x" * 10, "x" * 256, "ten chars!", "密码密码密码密码密码"]
    )
    def test_accepted_lengths(self, password: str):
        validate_password(password)

    @pytest.mark.parametrize("password", ["", "x" * 9, "x" * 257])
    def test_refused_lengths(self, password: str):
        assert refused_field(validate_password, password) == "password"


class TestTimezoneAndLocale:
    @pytest.mark.parametrize("tz", ["Asia/Shanghai", "UTC", "Europe/Berlin"])
    def test_iana_zones(self, tz: str):
        assert validate_timezone(tz) == tz

    @pytest.mark.parametrize("tz", ["Mars/Olympus", "CST+8", "", "asia/shanghai"])
    def test_unknown_zones(self, tz: str):
        assert refused_field(validate_timezone, tz) == "timezone"

    def test_supported_locales(self):
        assert validate_locale("zh-CN") == "zh-CN"
        assert validate_locale("en") == "en"
        for locale in ("zh", "fr", "EN", ""):
            assert refused_field(validate_locale, locale) == "locale"


class TestRequestSchemas:
    def test_unknown_fields_are_refused(self):
        with pytest.raises(ValidationError) as refused:
            schemas.ResidentRegister(
                tenant="abc", display_name="x", password="x" * 10, role="tenant_admin"
            )  # type: ignore[call-arg]
        assert refused.value.errors()[0]["loc"] == ("role",)

    def test_names_are_trimmed_and_must_not_be_blank(self):
        assert schemas.TenantCreate(slug="abc", name="  Lixia ", city="Jinan").name == "Lixia"
        with pytest.raises(ValidationError):
            schemas.TenantCreate(slug="abc", name="   ", city="Jinan")

    def test_at_most_five_emergency_contacts(self):
        contact = {"name": "Son", "relation": "son", "phone": "13800000001"}
        assert len(schemas.EmergencyContactsPut(contacts=[contact] * 5).contacts) == 5
        with pytest.raises(ValidationError) as refused:
            schemas.EmergencyContactsPut(contacts=[contact] * 6)
        assert refused.value.errors()[0]["loc"] == ("contacts",)

    @pytest.mark.parametrize("device_id", ["abc", "x" * 65, "has space", "emoji-😀"])
    def test_device_ids_are_short_plain_tokens(self, device_id: str):
        with pytest.raises(ValidationError):
            schemas.DeviceBind(device_id=device_id)
