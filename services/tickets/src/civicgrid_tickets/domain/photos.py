"""Photos on a ticket: at most five, each at most 5 MiB, and really an image — the type is read
from the bytes (a file's name or declared type can say anything)."""

from __future__ import annotations

from civicgrid_platform.errors import Conflict, InvalidInput

MAX_PHOTOS = 5
MAX_BYTES = 5 * 1024 * 1024

# Leading bytes of the formats phones and cameras send.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def image_type(data: bytes) -> str:
    """The image's media type, or InvalidInput naming the photo."""
    if not data:
        raise InvalidInput("an empty file", field="photo")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"at most {MAX_BYTES // (1024 * 1024)} MiB", field="photo")
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise InvalidInput("a JPEG, PNG or WebP image", field="photo")


def check_room(already: int) -> None:
    if already >= MAX_PHOTOS:
        raise Conflict(f"a ticket holds at most {MAX_PHOTOS} photos")
