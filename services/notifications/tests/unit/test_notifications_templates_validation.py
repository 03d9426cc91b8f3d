"""A template is refused when saved if it could fail, or do harm, when sending: unknown
variables, syntax errors, escapes from the sandbox, unbounded output, texts too long for the
channel; every built-in passes the same check and renders with every value missing."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError

from civicgrid_notifications.domain.catalog import EVENTS
from civicgrid_notifications.domain.channels import LOCALES, Channel
from civicgrid_notifications.domain.default_templates import built_in, sample_values
from civicgrid_notifications.domain.templates import (
    ENVIRONMENT,
    check_key,
    locale_fallbacks,
    render,
    resolve_locale,
    validate,
)
from civicgrid_platform.errors import InvalidInput

CREATED = "ticket.created"


def refusal(channel: Channel, body: str, subject: str = "") -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        validate(CREATED, channel, subject, body)
    return refused.value


def test_notifications_templates_an_unknown_variable_is_refused_naming_it() -> None:
    refused = refusal(Channel.SMS, "Report {{ ticket_numbr }} received")

    assert refused.field == "body"
    assert "'ticket_numbr'" in refused.detail
    assert "ticket_number" in refused.detail  # what the event offers instead


def test_notifications_templates_a_variable_of_another_event_type_is_refused() -> None:
    refused = refusal(Channel.EMAIL, "Hello", subject="{{ person_name }} needs help")

    assert refused.field == "subject"
    assert "'person_name'" in refused.detail


def test_notifications_templates_a_syntax_error_names_the_field_and_line() -> None:
    refused = refusal(Channel.EMAIL, "Hello\n\n{{ ticket_number ", subject="Report")
    assert (refused.field, refused.detail.split(":")[0]) == ("body", "line 3")

    refused = refusal(Channel.INAPP, "Hello", subject="{% if district %}open")
    assert refused.field == "subject"

    refused = refusal(Channel.SMS, "{{ ticket_number | shout }}")
    assert "No filter named 'shout'" in refused.detail


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ ''['__class__'] }}",
        "{{ ticket_number.upper() }}",
        "{{ self.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ range(100000) }}",
        "{{ lipsum(1000) }}",
        "{% include '/etc/passwd' %}",
        "{% extends 'base' %}",
        "{% import 'macros' as m %}",
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    ],
)
def test_notifications_templates_escapes_from_the_sandbox_are_refused(escape: str) -> None:
    assert refusal(Channel.SMS, escape).field == "body"


@pytest.mark.parametrize(
    "growing",
    [
        "{% for a in description %}{% for b in description %}{{ a }}{% endfor %}{% endfor %}",
        "{% set a = description ~ description %}{% set b = a ~ a %}{{ b }}",
        "{% with a = description ~ description %}{{ a }}{% endwith %}",
        "{{ description * 1000000 }}",
        "{{ 9 ** 999999 }}",
    ],
)
def test_notifications_templates_output_that_grows_without_bound_is_refused(growing: str) -> None:
    assert refusal(Channel.SMS, growing).field == "body"


def test_notifications_templates_the_sandbox_itself_refuses_python_internals() -> None:
    """Second line of defence, should a template ever skip the check."""
    unchecked = ENVIRONMENT.from_string("{{ x.__class__.__mro__ }}")

    with pytest.raises(SecurityError):
        unchecked.render(x="")


def test_notifications_templates_what_fails_for_some_values_only_is_refused() -> None:
    assert "else" in refusal(Channel.SMS, "{{ 'note: ' ~ note if note != 'x' }}").detail
    assert refusal(Channel.SMS, "{{ ticket_number | truncate(1) }}").field == "body"
    assert refusal(Channel.SMS, "{{ ticket_number | truncate('ten') }}").field == "body"
    assert "time zone" in refusal(Channel.SMS, "{{ address | datetime('Mars/Base') }}").detail
    assert refusal(Channel.SMS, "{{ address | datetime(description) }}").field == "body"
    assert "quoted text" in refusal(Channel.SMS, "{{ address | truncate(5, end=note) }}").detail
    assert refusal(Channel.SMS, "{{ address | truncate(*note) }}").field == "body"
    validate(CREATED, Channel.SMS, "", "{{ address | default(description) | truncate(20) }}")


def test_notifications_templates_channel_limits() -> None:
    assert refusal(Channel.SMS, "x" * 501).field == "body"
    validate(CREATED, Channel.SMS, "", "x" * 500)
    assert refusal(Channel.VOICE, "x" * 1001).field == "body"
    validate(CREATED, Channel.VOICE, "", "x" * 1000)
    assert refusal(Channel.SMS, "Hello", subject="A subject").field == "subject"
    assert refusal(Channel.VOICE, "Hello", subject="A subject").field == "subject"
    assert refusal(Channel.EMAIL, "Hello", subject=" ").field == "subject"
    assert refusal(Channel.INAPP, "  ", subject="Title").field == "body"


def test_notifications_templates_unknown_keys_are_refused_naming_the_part() -> None:
    for key, field in [
        (("ticket.exploded", "sms", "en"), "event_type"),
        (("ticket.created", "fax", "en"), "channel"),
        (("ticket.created", "sms", "fr"), "locale"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            check_key(*key)
        assert refused.value.field == field
    assert check_key("ticket.created", "sms", "zh-cn").locale == "zh-CN"


def test_notifications_templates_missing_values_render_empty_and_default_fills_them() -> None:
    compiled = validate(
        CREATED,
        Channel.EMAIL,
        "Report {{ ticket_number }}\nreceived",
        "Hello {{ recipient_name | default('neighbour') }}, about {{ address }}.",
    )

    rendered = render(compiled, {"ticket_number": "2026-7"})

    assert rendered.subject == "Report 2026-7 received"  # one line: it is a header
    assert rendered.body == "Hello neighbour, about ."


def test_notifications_templates_datetime_speaks_the_recipients_zone_and_language() -> None:
    compiled = validate(
        "ticket.sla_warning",
        Channel.SMS,
        "",
        "{{ due_at | datetime }} / {{ due_at | datetime('Europe/Berlin', '%H:%M') }}",
    )
    due = {"due_at": "2026-12-01T01:30:00Z"}

    chinese = render(compiled, due, locale="zh-CN", timezone="Asia/Shanghai")
    english = render(compiled, due, locale="en", timezone="America/New_York")
    not_a_time = render(compiled, {"due_at": "tomorrow"})

    assert chinese.body == "2026年12月1日 09:30 / 02:30"
    assert english.body == "30 Nov 2026, 20:30 / 02:30"
    assert not_a_time.body == "tomorrow / tomorrow"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", list(Channel))
def test_notifications_templates_every_built_in_validates_and_renders(
    channel: Channel, locale: str
) -> None:
    for event_type in EVENTS:
        source = built_in(event_type, channel, locale)
        assert source is not None, (event_type, channel, locale)

        compiled = validate(event_type, channel, source.subject, source.body)
        full = render(compiled, sample_values(event_type, locale), locale=locale)
        empty = render(compiled, {}, locale=locale)

        assert full.body and "{" not in full.body and "[" not in full.body, full
        assert empty.body
        assert bool(full.subject) == (channel in (Channel.EMAIL, Channel.INAPP))


def test_notifications_templates_built_ins_speak_chinese_in_zh_cn() -> None:
    source = built_in("alert.raised", Channel.SMS, "zh-CN")
    assert source is not None
    compiled = validate("alert.raised", Channel.SMS, source.subject, source.body)

    rendered = render(compiled, sample_values("alert.raised", "zh-CN"), locale="zh-CN")

    assert rendered.body.startswith("【东城区】紧急求助！张大爷（幸福路12号）")


def test_notifications_templates_locales_fall_back_by_language_then_to_english() -> None:
    assert [resolve_locale(x) for x in ("zh-CN", "zh", "zh-TW", "zh_Hant", "en-GB", "fr")] == [
        "zh-CN",
        "zh-CN",
        "zh-CN",
        "zh-CN",
        "en",
        None,
    ]
    assert locale_fallbacks("zh-HK") == ("zh-CN", "en")
    assert locale_fallbacks("fr-FR") == ("en",)
    assert locale_fallbacks("en") == ("en",)
