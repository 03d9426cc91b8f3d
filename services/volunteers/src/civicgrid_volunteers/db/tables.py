"""Volunteers' tables. Every tenant table carries tenant_id under row-level security.

Locations are kept twice: latitude and longitude as given, and `home_xy`/`location_xy`, the
spherical Mercator projection in metres, as a PostgreSQL `point` with a GiST index: "nearest
first" is then an index scan (`<->`), which is what lets matching look at the closest few
hundred of 100k volunteers in a few milliseconds. Mercator keeps shapes (it stretches every
direction alike, by 1/cos(latitude)), so nearest-first is the true order, and a planar distance
times the cosine of the latitude there is the distance on the ground."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.types import UserDefinedType

from civicgrid_platform.db.outbox_table import inbox_table, outbox_table
from civicgrid_platform.http.idempotency.table import idempotency_table
from civicgrid_platform.timers import timers_table

metadata = MetaData()
outbox_table(metadata)
inbox_table(metadata)
idempotency_table(metadata)

# The mean Earth radius (metres) of the spherical Mercator plane.
EARTH_RADIUS_M = 6_371_008.8


def mercator_sql(lat: str, lon: str) -> str:
    """SQL for a WGS84 position on the Mercator plane (see the module's docstring)."""
    return (
        f"point({EARTH_RADIUS_M} * radians({lon}),"
        f" {EARTH_RADIUS_M} * ln(tan(pi() / 4 + radians({lat}) / 2)))"
    )


class Point(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "point"


def _id() -> Column:
    return Column(
        "id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )


def _tenant() -> Column:
    return Column("tenant_id", UUID(as_uuid=True), nullable=False)


def _created() -> Column:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


# The district's matching and offer policy, one row per district; absent = the defaults.
district_policies = Table(
    "district_policies",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("policy", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# People as identity announces them (party category and branch, names), for profiles and ratings.
people = Table(
    "people",
    metadata,
    _tenant(),
    Column("person_id", UUID(as_uuid=True), primary_key=True),
    Column("display_name", String(200), nullable=False, server_default=""),
    Column("party_category", String(16), nullable=False, server_default=""),
    Column("party_branch", String(200), nullable=False, server_default=""),
    Column("living_alone", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_people_branch", "tenant_id", "party_branch"),
)

volunteers = Table(
    "volunteers",
    metadata,
    _id(),
    _tenant(),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("display_name", String(200), nullable=False),
    # {"code": {"level": 1..5, "verified": bool}}; verified levels are set by staff only.
    Column("skills", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("languages", ARRAY(String(16)), nullable=False, server_default=text("'{}'")),
    Column("home_lat", Float, nullable=False),
    Column("home_lon", Float, nullable=False),
    Column("home_xy", Point, Computed(mercator_sql("home_lat", "home_lon"), persisted=True)),
    Column("grid_id", UUID(as_uuid=True)),
    Column("community_id", UUID(as_uuid=True)),
    Column("timezone", String(64), nullable=False),
    # [{"weekday": 0..6 (Monday 0), "start": "HH:MM", "end": "HH:MM"}] in the volunteer's zone.
    Column("weekly_availability", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # [{"start": ISO, "end": ISO}]: holidays, hospital stays...
    Column("unavailable", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("weekly_task_cap", Integer, nullable=False, server_default=text("3")),
    Column("weekly_minutes_cap", Integer, nullable=False, server_default=text("600")),
    Column("on_duty", Boolean, nullable=False, server_default=text("false")),
    # Cleared for home visits (set by staff), until the clearance lapses.
    Column("safeguarding_until", Date),
    # Offers pause after repeated no-shows, until then.
    Column("paused_until", DateTime(timezone=True)),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    # Reliability, counted as offers are answered and tasks done.
    Column("offers_accepted", Integer, nullable=False, server_default=text("0")),
    Column("offers_declined", Integer, nullable=False, server_default=text("0")),
    Column("offers_expired", Integer, nullable=False, server_default=text("0")),
    Column("tasks_completed", Integer, nullable=False, server_default=text("0")),
    Column("no_shows", Integer, nullable=False, server_default=text("0")),
    Column("late_cancellations", Integer, nullable=False, server_default=text("0")),
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("weekly_task_cap >= 0 AND weekly_minutes_cap >= 0", name="ck_volunteer_caps"),
    Index("uq_volunteers_person", "tenant_id", "person_id", unique=True),
    Index("ix_volunteers_home", "home_xy", postgresql_using="gist"),
    Index("ix_volunteers_grid", "tenant_id", "grid_id"),
    Index("ix_volunteers_community", "tenant_id", "community_id"),
)

tasks = Table(
    "tasks",
    metadata,
    _id(),
    _tenant(),
    Column("kind", String(48), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("location_xy", Point, Computed(mercator_sql("lat", "lon"), persisted=True)),
    Column("grid_id", UUID(as_uuid=True)),
    Column("community_id", UUID(as_uuid=True)),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    # [{"code": str, "min_level": 1..5}]
    Column("skills", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("volunteers_needed", Integer, nullable=False),
    Column("volunteers_accepted", Integer, nullable=False, server_default=text("0")),
    Column("urgency", String(8), nullable=False),
    Column("needs_safeguarding", Boolean, nullable=False, server_default=text("false")),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("source", String(16), nullable=False, server_default="staff"),
    Column("source_ref", String(200), nullable=False, server_default=""),
    Column("client_person_id", UUID(as_uuid=True)),
    Column("created_by", String(200)),
    Column("idempotency_key", String(200)),
    # How many rounds of offers have gone out (each decline, expiry or empty search adds one).
    Column("offer_round", Integer, nullable=False, server_default=text("0")),
    _created(),
    Column("completed_at", DateTime(timezone=True)),
    CheckConstraint("ends_at > starts_at", name="ck_task_window"),
    CheckConstraint(
        "volunteers_accepted >= 0 AND volunteers_accepted <= volunteers_needed",
        name="ck_task_slots",
    ),
    Index("ix_tasks_tenant_start", "tenant_id", "starts_at"),
    Index("ix_tasks_client", "tenant_id", "client_person_id"),
    Index(
        "uq_tasks_idempotency",
        "tenant_id",
        "idempotency_key",
        unique=True,
        postgresql_where=text("idempotency_key IS NOT NULL"),
    ),
    Index(
        "uq_tasks_source",
        "tenant_id",
        "source",
        "source_ref",
        unique=True,
        postgresql_where=text("source_ref <> ''"),
    ),
)

offers = Table(
    "offers",
    metadata,
    _id(),
    _tenant(),
    Column("task_id", UUID(as_uuid=True), ForeignKey("tasks.id"), nullable=False),
    Column("volunteer_id", UUID(as_uuid=True), ForeignKey("volunteers.id"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("score", Float, nullable=False),
    # [{"factor", "value", "weight", "points"}]: why this volunteer, kept for staff and them.
    Column("breakdown", JSONB, nullable=False),
    # pending, accepted, declined, expired, withdrawn
    Column("status", String(12), nullable=False, server_default="pending"),
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Index("uq_offers_task_volunteer", "task_id", "volunteer_id", unique=True),
    Index("ix_offers_volunteer", "tenant_id", "volunteer_id", "made_at"),
    Index("ix_offers_pending_expiry", "expires_at", postgresql_where=text("status = 'pending'")),
)

# An accepted offer becomes an assignment: the volunteer's place on the task, from reminder to
# check-out. starts_at/ends_at are the task's, copied so clash and weekly-cap checks are one
# indexed read per volunteer.
assignments = Table(
    "assignments",
    metadata,
    _id(),
    _tenant(),
    Column("task_id", UUID(as_uuid=True), ForeignKey("tasks.id"), nullable=False),
    Column("volunteer_id", UUID(as_uuid=True), ForeignKey("volunteers.id"), nullable=False),
    Column("offer_id", UUID(as_uuid=True), ForeignKey("offers.id")),
    Column("client_person_id", UUID(as_uuid=True)),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    # accepted, confirmed, checked_in, completed, cancelled, no_show
    Column("status", String(12), nullable=False, server_default="accepted"),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
    Column("reminded_at", DateTime(timezone=True)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("late_cancellation", Boolean, nullable=False, server_default=text("false")),
    Column("checked_in_at", DateTime(timezone=True)),
    Column("check_in_lat", Float),
    Column("check_in_lon", Float),
    Column("checked_out_at", DateTime(timezone=True)),
    Column("check_out_lat", Float),
    Column("check_out_lon", Float),
    Index("uq_assignments_task_volunteer", "task_id", "volunteer_id", unique=True),
    Index("ix_assignments_volunteer", "tenant_id", "volunteer_id", "starts_at"),
)

# Hours as a double-entry ledger: every posting is two entries of one transaction whose minutes
# sum to zero (a deferred trigger refuses anything else at commit), between a volunteer's
# account and the community time bank.
ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    _tenant(),
    Column("posting_id", UUID(as_uuid=True), nullable=False),
    # volunteer:<uuid> or timebank
    Column("account", String(64), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("volunteer_id", UUID(as_uuid=True)),
    Column("task_id", UUID(as_uuid=True)),
    # check_out or correction
    Column("reason", String(16), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("actor_id", String(200)),
    # When the service was given (check-out time, or the corrected day): what 30-day fairness
    # and monthly ratings count by.
    Column("worked_on", DateTime(timezone=True), nullable=False),
    _created(),
    Index("ix_ledger_posting", "posting_id"),
    Index("ix_ledger_volunteer", "tenant_id", "volunteer_id", "worked_on"),
)

# The star rating's aspects as each district configures them.
rating_aspects = Table(
    "rating_aspects",
    metadata,
    _tenant(),
    Column("code", String(48), nullable=False),
    Column("name", String(200), nullable=False),
    # entered (by the branch) or hours, tasks, reliability (computed from service records)
    Column("source", String(16), nullable=False),
    Column("weight", Float, nullable=False),
    # For computed aspects: the figure that earns the full score (e.g. 600 minutes a month).
    Column("full_at", Float),
    Column("position", Integer, nullable=False),
    Index("uq_rating_aspects", "tenant_id", "code", unique=True),
)

rating_scores = Table(
    "rating_scores",
    metadata,
    _id(),
    _tenant(),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("month", String(7), nullable=False),
    Column("aspect", String(48), nullable=False),
    Column("score", Float, nullable=False),
    Column("entered_by", String(200), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("score >= 0 AND score <= 100", name="ck_rating_score_range"),
    Index("uq_rating_scores", "tenant_id", "person_id", "month", "aspect", unique=True),
)

# Published monthly ratings; history is kept (one row per person and month).
ratings = Table(
    "ratings",
    metadata,
    _id(),
    _tenant(),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    Column("month", String(7), nullable=False),
    Column("party_branch", String(200), nullable=False, server_default=""),
    Column("aspects", JSONB, nullable=False),
    Column("total", Float, nullable=False),
    Column("stars", Integer, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_by", String(200), nullable=False),
    CheckConstraint("stars BETWEEN 1 AND 5", name="ck_rating_stars"),
    Index("uq_ratings_person_month", "tenant_id", "person_id", "month", unique=True),
    Index("ix_ratings_branch", "tenant_id", "party_branch", "month"),
)

stations = Table(
    "stations",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(200), nullable=False),
    Column("community_id", UUID(as_uuid=True)),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("loan_days", Integer, nullable=False, server_default=text("7")),
    _created(),
)

items = Table(
    "items",
    metadata,
    _id(),
    _tenant(),
    Column("station_id", UUID(as_uuid=True), ForeignKey("stations.id"), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("count_total", Integer, nullable=False),
    Column("count_available", Integer, nullable=False),
    # good, worn, damaged
    Column("condition", String(12), nullable=False, server_default="good"),
    _created(),
    CheckConstraint(
        "count_available >= 0 AND count_available <= count_total", name="ck_item_counts"
    ),
    Index("ix_items_station", "tenant_id", "station_id", "kind"),
)

loans = Table(
    "loans",
    metadata,
    _id(),
    _tenant(),
    Column("station_id", UUID(as_uuid=True), ForeignKey("stations.id"), nullable=False),
    Column("item_id", UUID(as_uuid=True), ForeignKey("items.id"), nullable=False),
    Column("borrower_person_id", UUID(as_uuid=True), nullable=False),
    Column("quantity", Integer, nullable=False, server_default=text("1")),
    Column("lent_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("returned_at", DateTime(timezone=True)),
    Column("return_condition", String(12)),
    Column("due_soon_sent_at", DateTime(timezone=True)),
    Column("overdue_sent_at", DateTime(timezone=True)),
    Column("delivery_task_id", UUID(as_uuid=True), ForeignKey("tasks.id")),
    CheckConstraint("quantity > 0", name="ck_loan_quantity"),
    Index("ix_loans_open_due", "due_at", postgresql_where=text("returned_at IS NULL")),
    Index("ix_loans_borrower", "tenant_id", "borrower_person_id", "lent_at"),
)

holds = Table(
    "holds",
    metadata,
    _id(),
    _tenant(),
    Column("item_id", UUID(as_uuid=True), ForeignKey("items.id"), nullable=False),
    Column("person_id", UUID(as_uuid=True), nullable=False),
    # waiting, ready, fulfilled, cancelled, lapsed
    Column("status", String(12), nullable=False, server_default="waiting"),
    Column("kept_until", DateTime(timezone=True)),
    _created(),
    Index("ix_holds_item", "tenant_id", "item_id", "status", "created_at"),
)

# Work due at a moment, across districts (so no row-level security, like the outbox): offer
# rounds, offer expiries, reminders, no-show checks, loan reminders, lapsed holds. Claiming is
# deleting with SKIP LOCKED, in the transaction that does the work, so a crash hands it back.
# Work due at a moment (offers, expiries, reminders, visits, loans): the platform's shape.
timers = timers_table(metadata)

TENANT_TABLES = (
    "district_policies",
    "people",
    "volunteers",
    "tasks",
    "offers",
    "assignments",
    "ledger_entries",
    "rating_aspects",
    "rating_scores",
    "ratings",
    "stations",
    "items",
    "loans",
    "holds",
    "ticket_task_rules",
    "visit_plans",
)

# Where tasks come from besides staff (ticket rules, visit plans): their tables join this metadata.
from civicgrid_volunteers.db import tables_plans  # noqa: E402, F401
