"""One district's hours are its own, twice over: the code asks for the token's district only,
and PostgreSQL's row-level security shows (and lets write) only the bound district's rows."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from civicgrid_volunteers.db.ledger_repo import LedgerRepository
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.integration.test_volunteers_hours import (
    NOV_10,
    add_volunteer,
    check_out,
    correction,
)
from services.volunteers.tests.volunteers_support import TOKENS, District

pytestmark = pytest.mark.integration


async def test_volunteers_another_district_never_sees_or_corrects_the_hours(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    volunteer, person = await add_volunteer(timed.uow, district.tenant_id)
    await check_out(timed.uow, district.tenant_id, volunteer, 90)
    neighbour = District()

    theirs = await api.get(f"/v1/volunteers/{volunteer}/hours", headers=neighbour.staff())
    assert theirs.status_code == 404
    bank = await api.get("/v1/timebank", headers=neighbour.staff())
    assert bank.json() == {
        "balance_minutes": 0,
        "minutes_served": 0,
        "volunteers": 0,
        "postings": 0,
    }
    fix = await api.post(
        "/v1/hours/corrections", json=correction(volunteer, -90), headers=neighbour.staff()
    )
    assert fix.status_code == 404 and fix.json()["errors"][0]["field"] == "volunteer_id"
    # The same person signed in to the other district is no volunteer there.
    elsewhere = TOKENS.bearer(neighbour.tenant, "resident", subject=str(person))
    assert (await api.get("/v1/volunteers/me/hours", headers=elsewhere)).status_code == 404

    mine = await api.get(f"/v1/volunteers/{volunteer}/hours", headers=district.staff())
    assert mine.json()["balance_minutes"] == 90 and len(mine.json()["items"]) == 1


async def test_volunteers_row_level_security_alone_hides_and_refuses_another_districts_ledger(
    district: District, timed: VolunteersContext
) -> None:
    volunteer, _ = await add_volunteer(timed.uow, district.tenant_id)
    await check_out(timed.uow, district.tenant_id, volunteer, 90)
    neighbour = uuid.uuid4()

    async with timed.uow(tenant_id=neighbour) as uow:
        # No tenant filter in the SQL: only the database stands between the districts.
        seen = await uow.session.execute(
            text("SELECT count(*) FROM ledger_entries WHERE volunteer_id = :v"), {"v": volunteer}
        )
        assert seen.scalar_one() == 0
        # A repository asked for the first district, in a transaction bound to the other.
        ledger = LedgerRepository(uow.session, district.tenant_id)
        assert await ledger.balance(volunteer) == 0
        assert await ledger.statement(volunteer, before_entry=None, limit=10) == []
        assert await ledger.volunteer(volunteer) is None
        with pytest.raises(DBAPIError, match="row-level security"):
            await uow.session.execute(
                text(
                    "INSERT INTO ledger_entries (tenant_id, posting_id, account, minutes,"
                    " volunteer_id, reason, worked_on) VALUES (:t, :p, 'timebank', -5, :v,"
                    " 'correction', :w)"
                ),
                {"t": district.tenant_id, "p": uuid.uuid4(), "v": volunteer, "w": NOV_10},
            )

    async with timed.uow(tenant_id=district.tenant_id) as uow:
        assert await LedgerRepository(uow.session, district.tenant_id).balance(volunteer) == 90
