"""Cursor pagination: opaque, tamper-proof cursors and the page parameters dependency.

A cursor is url-safe base64 of HMAC-SHA256(key, json) || json, so a client can hand it back
but cannot make one up (e.g. to jump into rows a filter was meant to hide).

    @router.get("/things", response_model=CursorPage[ThingOut])
    async def list_things(page: PageParams) -> CursorPage[Thing]:
        rows = await repo.list(after=page.after, limit=page.fetch_limit)
        return page.page(rows, lambda t: {"created_at": t.created_at.isoformat(), "id": str(t.id)})
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from civicgrid_platform.http.state import cursor_key

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 2048
_MAC_BYTES = hashlib.sha256().digest_size


class CursorPage(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(ValueError):
    pass


def encode_cursor(position: Mapping[str, Any], key: bytes) -> str:
    """An opaque cursor for `position` (JSON-serialisable values only)."""
    payload = json.dumps(dict(position), separators=(",", ":"), sort_keys=True).encode()
    mac = hmac.new(key, payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac + payload).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, key: bytes) -> dict[str, Any]:
    """The position inside `cursor`; InvalidCursor if it is malformed or was not made with key."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor("cursor is not valid base64") from None
    mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    expected = hmac.new(key, payload, hashlib.sha256).digest()
    if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, expected):
        raise InvalidCursor("cursor was not issued by this service")
    try:
        position = json.loads(payload)
    except ValueError:
        raise InvalidCursor("cursor payload is not JSON") from None
    if not isinstance(position, dict):
        raise InvalidCursor("cursor payload is not an object")
    return position


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    after: dict[str, Any] | None  # the position decoded from the cursor; None for page one
    key: bytes

    @property
    def fetch_limit(self) -> int:
        """Rows to fetch: one more than the page, which tells whether another page follows."""
        return self.limit + 1

    def cursor_for(self, position: Mapping[str, Any]) -> str:
        return encode_cursor(position, self.key)

    def page(self, rows: Sequence[T], position: Callable[[T], Mapping[str, Any]]) -> CursorPage[T]:
        """The page from rows fetched with `fetch_limit`; `position` gives the keyset values
        of a row, from which the next page continues."""
        items = list(rows[: self.limit])
        has_more = len(rows) > self.limit
        next_cursor = self.cursor_for(position(items[-1])) if has_more else None
        return CursorPage[T](items=items, next_cursor=next_cursor)


async def _page_request(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR_LENGTH, description="next_cursor of the previous page."),
    ] = None,
) -> PageRequest:
    key = cursor_key(request.app)
    after = None
    if cursor is not None:
        try:
            after = decode_cursor(cursor, key)
        except InvalidCursor as error:
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("query", "cursor"), "msg": str(error)}]
            ) from None
    return PageRequest(limit=limit, after=after, key=key)


PageParams = Annotated[PageRequest, Depends(_page_request)]
