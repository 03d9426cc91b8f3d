"""Address text normalised for matching: what a resident types rarely equals the register."""

from __future__ import annotations

import re
import unicodedata

# Applied after NFKC, which already turns full-width punctuation into ASCII.
_NOISE = re.compile(r"[\s\-_,.;:。、()#/\\]+")


def address_key(text: str) -> str:
    """NFKC (full-width digits become ASCII), lower case, spaces and punctuation removed.

    "幸福路 １２号 3单元" and "幸福路12号3单元" give the same key.
    """
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())
