"""Compiled templates kept per process, so rendering a message costs no compile and, mostly, no
query.

Built-ins are compiled once per process. For a district, the cache remembers which keys it
overrides and at which version (one small query, repeated at most every `ttl_seconds`), and the
compiled override per (district, key) with the version it was compiled from; a key whose listed
version differs is read and compiled again. Staleness bound: another process's save or delete
is used here at most `ttl_seconds` later (5 s by default); this process's own saves and deletes
forget the district's entry at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import cache
from uuid import UUID

from jinja2 import TemplateError

from civicgrid_notifications.db.templates_repo import TemplatesRepository
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.domain.default_templates import built_in
from civicgrid_notifications.domain.templates import CompiledTemplate, TemplateKey, compile_trusted

logger = logging.getLogger(__name__)

SavedKey = tuple[str, str, str]  # (event type, channel, locale) as stored


@cache
def built_in_template(event_type: str, channel: Channel, locale: str) -> CompiledTemplate | None:
    source = built_in(event_type, channel, locale)
    if source is None:
        return None
    return compile_trusted(event_type, channel, source.subject, source.body)


class TemplateCache:
    def __init__(
        self, ttl_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        # district -> (when listed, saved key -> version)
        self._saved: dict[UUID, tuple[float, dict[SavedKey, int]]] = {}
        # district -> saved key -> (version, compiled)
        self._compiled: dict[UUID, dict[SavedKey, tuple[int, CompiledTemplate]]] = {}

    async def saved_versions(self, repo: TemplatesRepository) -> dict[SavedKey, int]:
        """The district's overridden keys and their versions, listed at most ttl_seconds ago."""
        now = self._clock()
        listed = self._saved.get(repo.tenant_id)
        if listed is not None and now - listed[0] < self.ttl_seconds:
            return listed[1]
        versions = await repo.versions()
        self._saved[repo.tenant_id] = (now, versions)
        compiled = self._compiled.get(repo.tenant_id, {})
        for gone in [k for k in compiled if k not in versions]:
            del compiled[gone]
        return versions

    async def district_template(
        self, repo: TemplatesRepository, key: TemplateKey, version: int
    ) -> CompiledTemplate | None:
        """The district's template for the key, compiled; None when it was deleted since it was
        listed or cannot be compiled (then the built-in speaks)."""
        saved_key = (key.event_type, key.channel.value, key.locale)
        compiled_here = self._compiled.setdefault(repo.tenant_id, {})
        entry = compiled_here.get(saved_key)
        if entry is not None and entry[0] >= version:  # a newer one read since the listing
            return entry[1]
        row = await repo.get(key)
        if row is None:
            return None
        try:
            compiled = compile_trusted(key.event_type, key.channel, row.subject, row.body)
        except TemplateError:
            # Checked when saved, so only an engine upgrade could get here; the built-in speaks.
            logger.warning(
                "district %s's template %s no longer compiles", repo.tenant_id, saved_key
            )
            return None
        compiled_here[saved_key] = (row.version, compiled)
        return compiled

    def forget(self, tenant_id: UUID) -> None:
        """After this process saved or deleted one of the district's templates."""
        self._saved.pop(tenant_id, None)


# The process's cache: render_message and the template use cases share it.
TEMPLATES = TemplateCache()
