"""Leaving no alert chain running behind a test. The session's database is shared by every
test, and the timers component claims due timers of every district: an alert left open would
go on escalating and reminding in whichever later test runs due timers (a day's jump of its
clock replays every reminder round it missed)."""

from __future__ import annotations

from sqlalchemy import text

from civicgrid_notifications.usecases.context import NotificationsContext
from services.notifications.tests.notifications_support import District


async def stop_alert_timers(ctx: NotificationsContext, district: District) -> None:
    """Forgets every timer of the district (the timers table has no row-level security)."""
    async with ctx.uow(tenant_id=None) as uow:
        await uow.session.execute(
            text("DELETE FROM timers WHERE tenant_id = :t"), {"t": district.tenant_id}
        )
        await uow.commit()
