"""HTTP routes: the tool-lending station. Stations, inventory, loans and returns are run by
staff; anyone in the district reads a station's inventory; residents see their own loans and
holds, place and cancel holds, and ask for a delivery of their loan."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status

from civicgrid_platform.errors import InvalidInput
from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams
from civicgrid_volunteers.api import schemas_lending as schemas
from civicgrid_volunteers.api.deps import Ctx
from civicgrid_volunteers.db.lending_repo import Hold, Item, Loan, Station
from civicgrid_volunteers.domain.lending import loan_state
from civicgrid_volunteers.usecases import lending, lending_holds

router = APIRouter(tags=["lending"])
KindQuery = Annotated[str | None, Query(max_length=64, description="Only items of this kind")]
StateQuery = Annotated[
    schemas.LoanFilter, Query(description="open (overdue included), overdue, returned or all")
]


def _station(s: Station) -> schemas.StationRead:
    return schemas.StationRead(**asdict(s))


def _item(i: Item) -> schemas.ItemRead:
    return schemas.ItemRead(**asdict(i), on_loan=i.on_loan)


def _loan(loan: Loan, now: datetime) -> schemas.LoanRead:
    state = loan_state(loan.due_at, loan.returned_at, now)
    return schemas.LoanRead(**asdict(loan), state=state)


def _hold(h: Hold) -> schemas.HoldRead:
    return schemas.HoldRead(**asdict(h))


def _after_at(after: dict[str, Any] | None) -> tuple[datetime, UUID] | None:
    """Where the previous page of a list by time ended. Cursors are signed by this service,
    but one list's cursor may be handed to another: refused, naming the cursor."""
    if not after:
        return None
    try:
        return datetime.fromisoformat(str(after["at"])), UUID(str(after["id"]))
    except (KeyError, ValueError):
        raise InvalidInput("not a cursor of this list", field="cursor") from None


def _after_item(after: dict[str, Any] | None) -> tuple[str, str, UUID] | None:
    if not after:
        return None
    try:
        return str(after["kind"]), str(after["name"]), UUID(str(after["id"]))
    except (KeyError, ValueError):
        raise InvalidInput("not a cursor of this list", field="cursor") from None


def _at(when: datetime, row_id: UUID) -> dict[str, str]:
    return {"at": when.isoformat(), "id": str(row_id)}


# Stations


@router.post("/v1/stations", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def create_station(
    body: schemas.StationCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.StationRead:
    data = lending.StationInput(**body.model_dump())
    return _station(await lending.create_station(ctx, actor, data))


@router.get("/v1/stations")
async def list_stations(
    ctx: Ctx, actor: CurrentPrincipal, page: PageParams, community_id: UUID | None = None
) -> CursorPage[schemas.StationRead]:
    after = _after_at(page.after)
    rows = await lending.list_stations(ctx, actor, community_id, after, page.fetch_limit)
    return page.page([_station(s) for s in rows], lambda s: _at(s.created_at, s.id))


@router.get("/v1/stations/{station_id}")
async def get_station(station_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.StationRead:
    return _station(await lending.get_station(ctx, actor, station_id))


@router.patch("/v1/stations/{station_id}")
async def change_station(
    station_id: UUID, body: schemas.StationUpdate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.StationRead:
    changes = body.model_dump(exclude_none=True)
    return _station(await lending.change_station(ctx, actor, station_id, changes))


# Inventory


@router.post(
    "/v1/stations/{station_id}/items",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Idempotent],
)
async def add_item(
    station_id: UUID, body: schemas.ItemCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.ItemRead:
    data = lending.ItemInput(**body.model_dump())
    return _item(await lending.add_item(ctx, actor, station_id, data))


@router.get("/v1/stations/{station_id}/items")
async def list_items(
    station_id: UUID, ctx: Ctx, actor: CurrentPrincipal, page: PageParams, kind: KindQuery = None
) -> CursorPage[schemas.ItemRead]:
    """The station's inventory, by kind and name, with what is on the shelf right now."""
    after = _after_item(page.after)
    rows = await lending.list_items(ctx, actor, station_id, kind, after, page.fetch_limit)
    return page.page(
        [_item(i) for i in rows], lambda i: {"kind": i.kind, "name": i.name, "id": str(i.id)}
    )


@router.get("/v1/stations/{station_id}/items/{item_id}")
async def get_item(
    station_id: UUID, item_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.ItemRead:
    return _item(await lending.get_item(ctx, actor, station_id, item_id))


@router.patch("/v1/stations/{station_id}/items/{item_id}")
async def change_item(
    station_id: UUID,
    item_id: UUID,
    body: schemas.ItemUpdate,
    ctx: Ctx,
    actor: CurrentPrincipal,
) -> schemas.ItemRead:
    item = await lending.change_item(ctx, actor, station_id, item_id, body.count, body.condition)
    return _item(item)


# Loans


@router.post(
    "/v1/stations/{station_id}/loans",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Idempotent],
)
async def lend(
    station_id: UUID, body: schemas.LoanCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.LoanRead:
    """Lends an item: 409 when not enough are on the shelf."""
    loan = await lending.lend(ctx, actor, station_id, lending.LoanInput(**body.model_dump()))
    return _loan(loan, ctx.clock())


@router.get("/v1/stations/{station_id}/loans")
async def station_loans(
    station_id: UUID,
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
    state: StateQuery = "open",
) -> CursorPage[schemas.LoanRead]:
    """The station's loans by due date, soonest first (staff)."""
    after = _after_at(page.after)
    rows = await lending.station_loans(ctx, actor, station_id, state, after, page.fetch_limit)
    now = ctx.clock()
    return page.page([_loan(loan, now) for loan in rows], lambda r: _at(r.due_at, r.id))


@router.get("/v1/loans")
async def person_loans(
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
    state: StateQuery = "open",
    borrower_person_id: Annotated[UUID | None, Query(description="Staff: a resident's")] = None,
) -> CursorPage[schemas.LoanRead]:
    """The caller's own loans by due date (staff may ask for a resident's)."""
    after = _after_at(page.after)
    rows = await lending.person_loans(
        ctx, actor, borrower_person_id, state, after, page.fetch_limit
    )
    now = ctx.clock()
    return page.page([_loan(loan, now) for loan in rows], lambda r: _at(r.due_at, r.id))


@router.get("/v1/loans/{loan_id}")
async def get_loan(loan_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.LoanRead:
    return _loan(await lending.get_loan(ctx, actor, loan_id), ctx.clock())


@router.post("/v1/loans/{loan_id}/return", dependencies=[Idempotent])
async def return_loan(
    loan_id: UUID, body: schemas.ReturnWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.LoanRead:
    """Records the return and the condition it came back in (lost: the station has one fewer)."""
    return _loan(await lending.return_loan(ctx, actor, loan_id, body.condition), ctx.clock())


@router.post(
    "/v1/loans/{loan_id}/delivery",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Idempotent],
)
async def request_delivery(
    loan_id: UUID, body: schemas.DeliveryCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.DeliveryRead:
    """A volunteer brings the loan to the borrower (staff, or the borrower themselves)."""
    data = lending.DeliveryInput(**body.model_dump())
    done = await lending.request_delivery(ctx, actor, loan_id, data)
    return schemas.DeliveryRead(
        task_id=done.task_id,
        starts_at=done.starts_at,
        ends_at=done.ends_at,
        loan=_loan(done.loan, ctx.clock()),
    )


# Holds


@router.post("/v1/holds", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def place_hold(
    body: schemas.HoldCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.HoldRead:
    """Waits in line for an item that is out (409 when one is on the shelf: borrow it)."""
    return _hold(await lending_holds.place_hold(ctx, actor, body.item_id, body.person_id))


@router.get("/v1/holds")
async def list_holds(
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
    status_: Annotated[list[schemas.HoldStatus] | None, Query(alias="status")] = None,
    person_id: Annotated[UUID | None, Query(description="Staff: a resident's")] = None,
    item_id: Annotated[UUID | None, Query(description="Staff: the line for an item")] = None,
) -> CursorPage[schemas.HoldRead]:
    """The caller's holds, oldest first (staff: a resident's, or an item's line)."""
    rows = await lending_holds.list_holds(
        ctx,
        actor,
        person_id=person_id,
        item_id=item_id,
        statuses=list(status_ or []),
        after=_after_at(page.after),
        limit=page.fetch_limit,
    )
    return page.page([_hold(h) for h in rows], lambda h: _at(h.created_at, h.id))


@router.get("/v1/holds/{hold_id}")
async def get_hold(hold_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.HoldRead:
    return _hold(await lending_holds.get_hold(ctx, actor, hold_id))


@router.post("/v1/holds/{hold_id}/cancel")
async def cancel_hold(hold_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.HoldRead:
    """Leaves the line; a unit kept for this hold goes to the next in line."""
    return _hold(await lending_holds.cancel_hold(ctx, actor, hold_id))
