"""Names that are safe as PostgreSQL identifiers and Kafka topic names.

Tests isolate from each other by name (one database or topic per test module), never by
restarting servers, so names must be unique, valid in both systems and need no quoting.
"""

from __future__ import annotations

import re
import secrets

# 63 bytes is PostgreSQL's identifier limit; provisioning appends "_owner" (6) to role names.
MAX_SERVICE_NAME_LENGTH = 57
_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED_NAMES = frozenset({"postgres", "template0", "template1", "public"})

# Kafka's own rule (org.apache.kafka.common.internals.Topic): ASCII alphanumerics, '.', '_', '-'.
MAX_TOPIC_NAME_LENGTH = 249
_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")

_UNIQUE_SUFFIX_HEX_CHARS = 10
_MAX_PREFIX_LENGTH = MAX_SERVICE_NAME_LENGTH - 1 - _UNIQUE_SUFFIX_HEX_CHARS


class InvalidNameError(ValueError):
    """A name is not safe as a database/role identifier or as a topic name."""


def validate_service_name(name: str) -> str:
    """Return `name` if it can name a database and its `<name>_owner`/`<name>_app` roles."""
    if not _SERVICE_NAME.match(name):
        raise InvalidNameError(
            f"{name!r} is not a safe database name: use lowercase letters, digits and '_', "
            "starting with a letter"
        )
    if len(name) > MAX_SERVICE_NAME_LENGTH:
        raise InvalidNameError(
            f"{name!r} is longer than {MAX_SERVICE_NAME_LENGTH} characters, so its role names "
            "would be truncated by PostgreSQL"
        )
    if name in _RESERVED_NAMES or name.startswith("pg_"):
        raise InvalidNameError(f"{name!r} is reserved by PostgreSQL")
    return name


def validate_topic_name(name: str) -> str:
    """Return `name` if Kafka accepts it as a topic name."""
    if name in {".", ".."} or not _TOPIC_NAME.match(name) or len(name) > MAX_TOPIC_NAME_LENGTH:
        raise InvalidNameError(
            f"{name!r} is not a valid Kafka topic name: 1-{MAX_TOPIC_NAME_LENGTH} characters of "
            "ASCII letters, digits, '.', '_' and '-'"
        )
    return name


def unique_name(prefix: str) -> str:
    """A fresh name such as `tickets_3f9a2b1c07`, valid as a database name and as a topic name.

    The prefix is normalised (lowercased, other characters become '_', shortened) rather than
    rejected, so tests can pass whatever describes them, e.g. their module name.
    """
    cleaned = re.sub(r"[^a-z0-9_]", "_", prefix.lower()).strip("_")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"t_{cleaned}".rstrip("_")
    if cleaned.startswith("pg_"):
        cleaned = f"t_{cleaned}"
    cleaned = cleaned[:_MAX_PREFIX_LENGTH].rstrip("_")
    return validate_service_name(f"{cleaned}_{secrets.token_hex(_UNIQUE_SUFFIX_HEX_CHARS // 2)}")
