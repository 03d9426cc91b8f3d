"""Message templates: checked when saved, so that rendering one can never fail when sending.

The engine is Jinja2's immutable sandbox with StrictUndefined and a deliberately small
language: output, `{% if %}`, `~` concatenation, comparisons and a few filters over the event's
variables (all strings). Loops, assignments, macros, includes, attribute and item access,
calls and arithmetic are refused at save time: nothing a notification needs, and each is a way
to escape the sandbox, to make output grow without bound, or to fail only for some values.
What remains is checked by rendering the template with sample values and with empty values, so
a template that saves renders for any values. The sandbox stays as the second line of defence.

Autoescaping is off on every channel: SMS, voice and in-app texts are plain, and email is sent as
text/plain only (no HTML part), so there is nothing to escape into.

`render` gives the template every variable its event type declares, "" where the caller has no
value, so a missing value never raises; `default` treats "" as missing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime as dt
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    Undefined,
    meta,
    nodes,
)
from jinja2.filters import FILTERS
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import pass_context

from civicgrid_notifications.domain.catalog import EVENTS, EventSpec
from civicgrid_notifications.domain.channels import LOCALES, Channel
from civicgrid_notifications.domain.default_templates import sample_values
from civicgrid_platform.errors import InvalidInput

# Template source limits, per channel: an SMS is short, a call is listened to.
BODY_LIMITS: dict[Channel, int] = {
    Channel.SMS: 500,
    Channel.VOICE: 1000,
    Channel.INAPP: 4000,
    Channel.EMAIL: 20000,
}
SUBJECT_LIMIT = 200
# Channels with a subject (email) or a title (in-app); SMS and voice have none.
WITH_SUBJECT = frozenset({Channel.EMAIL, Channel.INAPP})

# Context keys a template cannot name (not identifiers): how `datetime` learns the recipient's
# zone and language without offering them as variables.
_ZONE_KEY = "civicgrid:zone"
_LOCALE_KEY = "civicgrid:locale"
DEFAULT_ZONE = "Asia/Shanghai"

_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.FilterBlock,
    nodes.Name,
    nodes.Const,
    nodes.List,
    nodes.Tuple,
    nodes.Filter,
    nodes.Test,
    nodes.Keyword,
    nodes.Concat,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.CondExpr,
)
# What rendering may raise: Jinja's errors, and filters given arguments they cannot use
# (truncate asserts its length).
RENDER_ERRORS = (TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AssertionError)
_TESTS = frozenset(
    {"defined", "undefined", "none", "string", "true", "false", "lower", "upper"}
    | {"eq", "equalto", "==", "ne", "!=", "in"}
)


@dataclass(frozen=True, slots=True)
class TemplateKey:
    event_type: str
    channel: Channel
    locale: str


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str  # the email subject or the in-app title; "" on SMS and voice
    body: str


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    """A checked template, ready to render any number of times."""

    event_type: str
    channel: Channel
    subject: Template | None
    body: Template
    variables: frozenset[str]  # every variable the event type offers, used or not


# --- the engine --------------------------------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, Undefined) else str(value)


def _default(value: object, fallback: object = "", boolean: bool = True) -> str:
    """`{{ note | default("none") }}`: the fallback where the value is empty. (`boolean` is
    Jinja's own flag, accepted so templates written for Jinja keep working: every variable is
    given, so empty is what "missing" looks like.)"""
    text = _text(value)
    return text if text else _text(fallback)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _local_format(moment: dt, locale: str) -> str:
    if locale == "zh-CN":
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
    return f"{moment:%d %b %Y, %H:%M}"


@pass_context
def _datetime(context: Context, value: object, zone: str = "", format: str = "") -> str:
    """`{{ due_at | datetime }}`: an ISO timestamp in the recipient's zone and language; or
    `datetime("Europe/Berlin", "%H:%M")`. A value that is not a timestamp is shown as it is."""
    return _shown_at(
        _text(value),
        zone,
        str(context.get(_ZONE_KEY) or DEFAULT_ZONE),
        format,
        str(context.get(_LOCALE_KEY) or "en"),
    )


@lru_cache(maxsize=4096)  # one event's time, shown to each of its recipients alike
def _shown_at(text: str, zone: str, recipient_zone: str, format: str, locale: str) -> str:
    try:
        moment = dt.fromisoformat(text)
    except ValueError:
        return text
    if len(text) <= len("2026-11-30"):
        return text  # a date alone has no time to convert
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    where = _zone(zone) or _zone(recipient_zone) or UTC
    try:
        moment = moment.astimezone(where)
    except (OverflowError, ValueError):  # the edge of the calendar (year 1 or 9999)
        return text
    if format:
        try:
            return moment.strftime(format)
        except ValueError:
            pass
    return _local_format(moment, locale)


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
    )
    safe = ("upper", "lower", "title", "capitalize", "trim", "truncate", "length")
    env.filters = {name: FILTERS[name] for name in safe}
    env.filters.update(default=_default, d=_default, datetime=_datetime)
    env.tests = {name: env.tests[name] for name in _TESTS}
    env.globals = {}
    return env


ENVIRONMENT = _environment()


# --- languages -----------------------------------------------------------------------------------


def resolve_locale(locale: str) -> str | None:
    """The template language for a person's locale: exact ("zh-cn" -> "zh-CN"), else by language
    ("zh", "zh-TW", "zh_Hant" -> "zh-CN"; "en-GB" -> "en"); None when no template language fits."""
    wanted = locale.strip().replace("_", "-").lower()
    for known in LOCALES:
        if known.lower() == wanted:
            return known
    language = wanted.split("-", 1)[0]
    for known in LOCALES:
        if known.split("-", 1)[0].lower() == language:
            return known
    return None


def locale_fallbacks(locale: str) -> tuple[str, ...]:
    """The languages to look for a template in, best first; English is the last resort."""
    resolved = resolve_locale(locale)
    return (resolved, "en") if resolved is not None and resolved != "en" else ("en",)


# --- checking ------------------------------------------------------------------------------------


def check_key(event_type: str, channel: str, locale: str) -> TemplateKey:
    """The key a district saves a template under, or InvalidInput naming the bad part."""
    spec_of(event_type)
    try:
        checked = Channel(channel)
    except ValueError:
        raise InvalidInput(f"unknown channel {channel!r}", field="channel") from None
    return TemplateKey(event_type, checked, check_locale(locale))


def check_locale(locale: str) -> str:
    """A language templates are kept in, spelled as LOCALES spell it ("zh-cn" -> "zh-CN")."""
    canonical = {known.lower(): known for known in LOCALES}.get(locale.lower())
    if canonical is None:
        raise InvalidInput(
            f"templates are kept in {', '.join(LOCALES)}, not {locale!r}", field="locale"
        )
    return canonical


def spec_of(event_type: str) -> EventSpec:
    spec = EVENTS.get(event_type)
    if spec is None:
        raise InvalidInput(f"unknown event type {event_type!r}", field="event_type")
    return spec


def validate(event_type: str, channel: Channel, subject: str, body: str) -> CompiledTemplate:
    """The template compiled, or InvalidInput naming `subject` or `body` and saying why (with
    the line where the engine knows it)."""
    spec = spec_of(event_type)
    channel = Channel(channel)
    limit = BODY_LIMITS[channel]
    if len(body) > limit:
        raise InvalidInput(f"at most {limit} characters on {channel}", field="body")
    if not body.strip():
        raise InvalidInput("a message needs a body", field="body")
    compiled_subject = None
    if channel in WITH_SUBJECT:
        if len(subject) > SUBJECT_LIMIT:
            raise InvalidInput(f"at most {SUBJECT_LIMIT} characters", field="subject")
        if not subject.strip():
            raise InvalidInput(f"a {channel} message needs a subject", field="subject")
        compiled_subject = _compile(subject, spec, "subject")
    elif subject:
        raise InvalidInput(f"{channel} messages have no subject", field="subject")
    compiled = CompiledTemplate(
        event_type, channel, compiled_subject, _compile(body, spec, "body"), spec.all_variables
    )
    _trial_render(compiled)
    return compiled


def compile_trusted(event_type: str, channel: Channel, subject: str, body: str) -> CompiledTemplate:
    """A template checked when it was saved (a stored or built-in one), compiled without
    the trial renders."""
    spec = spec_of(event_type)
    subject_template = ENVIRONMENT.from_string(subject) if channel in WITH_SUBJECT else None
    return CompiledTemplate(
        event_type, channel, subject_template, ENVIRONMENT.from_string(body), spec.all_variables
    )


def _compile(source: str, spec: EventSpec, field: str) -> Template:
    try:
        tree = ENVIRONMENT.parse(source)
        _check_nodes(tree, field)
        unknown = meta.find_undeclared_variables(tree) - spec.all_variables
        if unknown:
            offered = ", ".join(sorted(spec.all_variables))
            raise InvalidInput(
                f"unknown variable {sorted(unknown)[0]!r}; this event offers {offered}",
                field=field,
            )
        return ENVIRONMENT.from_string(tree)
    except TemplateSyntaxError as error:
        raise InvalidInput(f"line {error.lineno}: {error.message}", field=field) from None


def _check_nodes(tree: nodes.Template, field: str) -> None:
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            raise InvalidInput(f"line {node.lineno}: {_refusal(node)}", field=field)
        if isinstance(node, nodes.Name) and node.ctx != "load":
            raise InvalidInput(f"line {node.lineno}: assignments are not allowed", field=field)
        if isinstance(node, nodes.CondExpr) and node.expr2 is None:
            # Without else it yields "undefined" for some values only: refused, not trusted.
            raise InvalidInput(f"line {node.lineno}: an inline if needs an else", field=field)
        if isinstance(node, nodes.Filter | nodes.Test):
            _check_arguments(node, field)
        if isinstance(node, nodes.Filter) and node.name == "datetime":
            _check_datetime_arguments(node, field)


def _refusal(node: nodes.Node) -> str:
    if isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Slice):
        return "attribute and item access are not allowed"
    if isinstance(node, nodes.Call):
        return "calls are not allowed; use a filter"
    if isinstance(node, nodes.BinExpr | nodes.UnaryExpr):
        return "arithmetic is not allowed; join text with ~"
    return f"{type(node).__name__.lower()} is not allowed in a template"


def _check_arguments(node: nodes.Filter | nodes.Test, field: str) -> None:
    """Filters take constants (default's fallback excepted, it never fails): an argument
    from a value (truncate(5, end=note)) could fail for some values only."""
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        raise InvalidInput(f"line {node.lineno}: * and ** are not allowed", field=field)
    if isinstance(node, nodes.Test) or node.name in ("default", "d"):
        return
    given = [*node.args, *(keyword.value for keyword in node.kwargs)]
    if not all(isinstance(arg, nodes.Const) for arg in given):
        raise InvalidInput(
            f"line {node.lineno}: {node.name} takes quoted text and numbers only", field=field
        )


def _check_datetime_arguments(node: nodes.Filter, field: str) -> None:
    given = [*node.args, *(keyword.value for keyword in node.kwargs)]
    if not all(isinstance(arg, nodes.Const) and isinstance(arg.value, str) for arg in given):
        raise InvalidInput(
            f"line {node.lineno}: datetime takes a zone and a format as quoted text", field=field
        )
    zone = (
        node.args[0] if node.args else next((k.value for k in node.kwargs if k.key == "zone"), None)
    )
    if isinstance(zone, nodes.Const) and zone.value and _zone(zone.value) is None:
        raise InvalidInput(f"line {node.lineno}: unknown time zone {zone.value!r}", field=field)


def _trial_render(compiled: CompiledTemplate) -> None:
    """Renders with sample and with empty values: errors that do not depend on the values (a
    filter given the wrong arguments) show up here instead of when sending."""
    for locale in LOCALES:
        for values in (sample_values(compiled.event_type, locale), {}):
            for field, template in (("subject", compiled.subject), ("body", compiled.body)):
                if template is None:
                    continue
                try:
                    template.render(_context(compiled, values, locale, DEFAULT_ZONE))
                except RENDER_ERRORS as error:
                    raise InvalidInput(f"cannot be rendered: {error}", field=field) from None


# --- rendering -----------------------------------------------------------------------------------


def _context(
    compiled: CompiledTemplate, values: Mapping[str, object], locale: str, zone: str
) -> dict[str, Any]:
    context: dict[str, Any] = {name: _text(values.get(name)) for name in compiled.variables}
    context[_ZONE_KEY] = zone
    context[_LOCALE_KEY] = locale
    return context


def render(
    compiled: CompiledTemplate,
    values: Mapping[str, object],
    *,
    locale: str = "en",
    timezone: str = DEFAULT_ZONE,
) -> Rendered:
    """The message for these values; every declared variable is given ("" when missing), so
    a checked template does not fail for a missing value. The subject is one line."""
    context = _context(compiled, values, locale, timezone)
    subject = compiled.subject.render(context) if compiled.subject is not None else ""
    return Rendered(" ".join(subject.split()), compiled.body.render(context).strip())
