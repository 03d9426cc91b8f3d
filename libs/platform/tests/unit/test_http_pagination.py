"""Cursor pagination: cursors cannot be forged, limits hold, pages cover everything once."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid_platform.http import InvalidCursor, decode_cursor, encode_cursor
from libs.platform.tests.unit.http_support import CURSOR_KEY, ITEMS, asgi_client, build_app

POSITIONS = st.dictionaries(
    st.text(max_size=10),
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
    max_size=5,
)


@given(POSITIONS)
def test_cursor_round_trips_any_json_position(position: dict) -> None:
    cursor = encode_cursor(position, CURSOR_KEY)
    assert decode_cursor(cursor, CURSOR_KEY) == position
    assert all(c.isalnum() or c in "-_" for c in cursor)  # safe in a URL as it is


def test_cursor_made_with_another_key_is_refused() -> None:
    cursor = encode_cursor({"id": 5}, b"someone-elses-key-0123456789")
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, CURSOR_KEY)


def test_edited_cursor_is_refused() -> None:
    raw = base64.urlsafe_b64decode(encode_cursor({"id": 5}, CURSOR_KEY) + "==")
    mac, payload = raw[:32], raw[32:]
    edited = payload.replace(b"5", b"6")
    forged = base64.urlsafe_b64encode(mac + edited).rstrip(b"=").decode()
    with pytest.raises(InvalidCursor):
        decode_cursor(forged, CURSOR_KEY)


@pytest.mark.parametrize("garbage", ["", "abc", "!!!!", "e30", "a" * 100])
def test_garbage_cursor_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(garbage, CURSOR_KEY)


def test_hand_made_cursor_without_a_mac_is_refused() -> None:
    handmade = base64.urlsafe_b64encode(json.dumps({"id": 1}).encode()).decode()
    with pytest.raises(InvalidCursor):
        decode_cursor(handmade, CURSOR_KEY)


async def test_walking_the_pages_yields_every_item_exactly_once() -> None:
    seen: list[str] = []
    pages = 0
    async with asgi_client(build_app()) as client:
        params: dict[str, str | int] = {"limit": 40}
        while True:
            body = (await client.get("/items", params=params)).json()
            pages += 1
            seen.extend(body["items"])
            if body["next_cursor"] is None:
                break
            params = {"limit": 40, "cursor": body["next_cursor"]}
    assert seen == ITEMS
    assert pages == 4  # 137 items: 40 + 40 + 40 + 17


async def test_default_page_size_is_50() -> None:
    async with asgi_client(build_app()) as client:
        body = (await client.get("/items")).json()
    assert len(body["items"]) == 50
    assert body["next_cursor"]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "many"])
async def test_limit_outside_1_to_200_is_a_422_naming_limit(limit: str) -> None:
    async with asgi_client(build_app()) as client:
        response = await client.get("/items", params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.limit"


async def test_limit_200_is_allowed() -> None:
    async with asgi_client(build_app()) as client:
        body = (await client.get("/items", params={"limit": 200})).json()
    assert len(body["items"]) == len(ITEMS)
    assert body["next_cursor"] is None


async def test_forged_cursor_is_a_422_naming_cursor() -> None:
    forged = encode_cursor({"last": "item-100"}, b"guessed-key-guessed-key-guessed")
    async with asgi_client(build_app()) as client:
        response = await client.get("/items", params={"cursor": forged})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "query.cursor"
    assert body["detail"].startswith("query.cursor")


async def test_missing_cursor_key_is_a_wiring_error() -> None:
    async with asgi_client(build_app(cursor_key=None)) as client:
        response = await client.get("/items")
    assert response.status_code == 500


def test_short_cursor_key_is_refused_at_startup() -> None:
    with pytest.raises(ValueError):
        build_app(cursor_key=b"short")
