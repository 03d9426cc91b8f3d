"""Photos on a ticket: real images only, five at most, 5 MiB each, seen by those who see the
ticket; the bytes come back as they went in (a real directory as the blob store)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.tickets.tests.tickets_support import District, bearer

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x11" * 2048


async def test_photos_go_up_and_come_back(api: httpx.AsyncClient, district: District) -> None:
    reporter = str(uuid.uuid4())
    me = bearer(district.tenant, "resident", subject=reporter)
    lat, lon = district.inside(0)
    ticket = (
        await api.post(
            "/v1/tickets",
            json={"category": "roads", "description": "坑", "lat": lat, "lon": lon},
            headers=me,
        )
    ).json()
    url = f"/v1/tickets/{ticket['id']}/photos"

    def upload(data: bytes, name: str = "photo.png", who: dict[str, str] = me) -> object:
        return api.post(url, files={"photo": (name, data, "image/png")}, headers=who)

    first = await upload(JPEG, "a.jpg")
    assert first.status_code == 201, first.text
    assert (first.json()["n"], first.json()["media_type"]) == (1, "image/jpeg")
    pretending = await upload(b"<html>not an image</html>")
    assert pretending.status_code == 422 and "photo" in pretending.text
    too_big = await upload(PNG + b"\x00" * (5 * 1024 * 1024))
    assert too_big.status_code in (413, 422)
    stranger = await upload(PNG, who=bearer(district.tenant, "resident"))
    assert stranger.status_code == 404
    for _ in range(4):
        assert (await upload(PNG)).status_code == 201
    sixth = await upload(PNG)
    assert sixth.status_code == 409

    listed = (await api.get(url, headers=me)).json()
    assert [p["n"] for p in listed] == [1, 2, 3, 4, 5]
    back = await api.get(f"{url}/1", headers=bearer(district.tenant, "tenant_admin"))
    assert back.content == JPEG and back.headers["content-type"] == "image/jpeg"
    assert (
        await api.get(f"{url}/1", headers=bearer(district.tenant, "resident"))
    ).status_code == 404
