"""RFC 9457 problem details: the one shape every HTTP error of every service takes."""

from __future__ import annotations

import http
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://civicgrid.dev/problems/"

# Error tables are generic in their key so one keyed by type[DomainError] type-checks too.
ErrorT = TypeVar("ErrorT", bound=Exception)


class ProblemMapping(Protocol):
    """What create_app needs to know about a domain error class (the lead's error table rows
    fit this shape as they are)."""

    @property
    def status(self) -> int: ...
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ProblemSpec:
    status: int
    slug: str
    title: str


class ProblemError(Exception):
    """Raise from HTTP code that wants a specific problem answer (not a domain error)."""

    def __init__(
        self,
        spec: ProblemMapping,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.spec = spec
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_type(slug: str) -> str:
    return PROBLEM_TYPE_BASE + slug


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> ProblemResponse:
    body: dict[str, Any] = {"type": problem_type(slug), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.url.path
    for name, value in (extensions or {}).items():
        body.setdefault(name, value)  # extensions never overwrite the standard members
    response_headers = dict(headers or {})
    if status == 401:
        # RFC 9110 §15.5.2: a 401 must say how to authenticate.
        response_headers.setdefault("WWW-Authenticate", "Bearer")
    return ProblemResponse(body, status_code=status, headers=response_headers)


# RFC 9110 renamed these; Python's http module still has the old phrases.
_RFC9110_PHRASES = {
    413: "Content Too Large",
    416: "Range Not Satisfiable",
    422: "Unprocessable Content",
}


def status_slug(status: int) -> tuple[str, str]:
    """Slug and title for a bare HTTP status (404 -> "not-found", "Not Found")."""
    if status in _RFC9110_PHRASES:
        phrase = _RFC9110_PHRASES[status]
        return phrase.lower().replace(" ", "-"), phrase
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return phrase.lower().replace(" ", "-").replace("'", ""), phrase


# Documented once in OpenAPI as the body of every 4XX/5XX answer.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status_class: {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status_class, description in (("4XX", "Client error"), ("5XX", "Server error"))
}
