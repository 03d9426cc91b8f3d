"""Ticket lifecycle: who may do what from which state, what each step records, and refusals.

The expectations below are written out by hand from the product rules, in plain strings, and
never read from RULES: if the table in the code drifts, these tests say where.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from civicgrid_platform.errors import Conflict, Forbidden, InvalidInput
from civicgrid_tickets.domain.lifecycle import (
    DEFAULT_REOPEN_WINDOW,
    PAUSING_STATES,
    RULES,
    TERMINAL_STATES,
    Action,
    Relation,
    TicketStatus,
    Transition,
    available_actions,
    decide,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CLOSED_AT = NOW - timedelta(days=1)
TICKET = uuid4()
OTHER_TICKET = uuid4()

OPEN = "submitted acknowledged in_progress waiting_on_resident on_hold reopened"
EVERY = OPEN + " resolved closed rejected merged"
STAFF = "owner supervisor"

# action: (states it may be taken from, relations that may take it, resulting status).
# "same" leaves the status as it was; "previous" returns to the state before the wait.
EXPECTED: dict[str, tuple[str, str, str]] = {
    "acknowledge": ("submitted reopened", "system " + STAFF, "acknowledged"),
    "start": ("acknowledged", "system " + STAFF, "in_progress"),
    "request_info": ("acknowledged in_progress", STAFF, "waiting_on_resident"),
    "provide_info": ("waiting_on_resident", "reporter " + STAFF, "previous"),
    "hold": ("acknowledged in_progress", STAFF, "on_hold"),
    "release": ("on_hold", STAFF, "in_progress"),
    "resolve": ("in_progress", "system " + STAFF, "resolved"),
    "confirm": ("resolved", "reporter", "closed"),
    "auto_close": ("resolved", "system", "closed"),
    "reopen": ("resolved closed", "reporter supervisor", "reopened"),
    "reject": (OPEN, STAFF, "rejected"),
    "merge": (OPEN, STAFF, "merged"),
    "comment": (EVERY, "reporter tenant_admin " + STAFF, "same"),
    "callback": (EVERY, STAFF, "same"),
    "rate": ("resolved closed", "reporter", "same"),
    "transfer": (OPEN, "tenant_admin " + STAFF, "submitted"),
    "escalate": (OPEN, "system " + STAFF, "same"),
}
ALL_RELATIONS = "reporter owner supervisor tenant_admin system other"

# Details that make each action well-formed, so the table tests see only Forbidden/Conflict.
VALID_DETAILS: dict[str, dict[str, object]] = {
    "request_info": {"note": "Which entrance is the broken light at?"},
    "hold": {"meeting_id": uuid4()},
    "resolve": {"note": "Replaced the lamp."},
    "reopen": {"note": "It is dark again."},
    "reject": {"reason_code": "out_of_scope"},
    "merge": {"merge_target": OTHER_TICKET},
    "comment": {"note": "Still waiting."},
    "callback": {"note": "Called the resident, explained the plan."},
    "rate": {"rating": 4},
    "transfer": {"reason_code": "wrong_grid"},
    "escalate": {"reason_code": "sla_breach"},
}


def attempt(status: str, action: str, relations: str, **overrides: object) -> Transition:
    kwargs: dict[str, object] = {
        "now": NOW,
        "ticket_id": TICKET,
        "previous_status": TicketStatus.IN_PROGRESS,
        "closed_at": CLOSED_AT if status == "closed" else None,
        **VALID_DETAILS.get(action, {}),
        **overrides,
    }
    return decide(
        TicketStatus(status),
        Action(action),
        frozenset(Relation(r) for r in relations.split()),
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_expectations_cover_every_action_state_and_relation():
    assert set(EXPECTED) == {a.value for a in Action}
    assert set(EVERY.split()) == {s.value for s in TicketStatus}
    assert set(ALL_RELATIONS.split()) == {r.value for r in Relation}


@pytest.mark.parametrize("relation", ALL_RELATIONS.split())
@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("status", EVERY.split())
def test_every_status_action_and_relation(status: str, action: str, relation: str):
    from_states, relations, result = EXPECTED[action]
    if relation not in relations.split():
        with pytest.raises(Forbidden):
            attempt(status, action, relation)
    elif status not in from_states.split():
        with pytest.raises(Conflict):
            attempt(status, action, relation)
    else:
        step = attempt(status, action, relation)
        expected = {"same": status, "previous": "in_progress"}.get(result, result)
        assert step.to_status == expected
        assert (step.action, step.from_status, step.acting_as, step.at) == (
            action,
            status,
            relation,
            NOW,
        )


@pytest.mark.parametrize("relation", ALL_RELATIONS.split())
@pytest.mark.parametrize("status", EVERY.split())
def test_available_actions_lists_exactly_what_decide_accepts(status: str, relation: str):
    closed_at = CLOSED_AT if status == "closed" else None
    listed = available_actions(
        TicketStatus(status), frozenset({Relation(relation)}), now=NOW, closed_at=closed_at
    )
    expected = [
        action
        for action, (states, relations, _) in EXPECTED.items()
        if status in states.split() and relation in relations.split()
    ]
    assert list(listed) == expected


def test_terminal_states_are_left_only_by_reopening_a_closed_ticket():
    assert {s.value for s in TERMINAL_STATES} == {"closed", "rejected", "merged"}
    leaving = set()
    for status in ("closed", "rejected", "merged"):
        for action in EXPECTED:
            try:
                step = attempt(status, action, ALL_RELATIONS)
            except (Forbidden, Conflict):
                continue
            if step.changes_status:
                leaving.add((status, action))
    assert leaving == {("closed", "reopen")}


def test_a_whole_journey_from_report_to_reopened_and_closed_again():
    status = "submitted"
    journey = [
        ("acknowledge", "owner", "acknowledged"),
        ("start", "owner", "in_progress"),
        ("request_info", "owner", "waiting_on_resident"),
        ("provide_info", "reporter", "in_progress"),
        ("hold", "supervisor", "on_hold"),
        ("release", "owner", "in_progress"),
        ("resolve", "owner", "resolved"),
        ("reopen", "reporter", "reopened"),
        ("acknowledge", "owner", "acknowledged"),
        ("start", "owner", "in_progress"),
        ("resolve", "owner", "resolved"),
        ("auto_close", "system", "closed"),
    ]
    for action, relation, expected in journey:
        status = attempt(status, action, relation).to_status
        assert status == expected, action


# --- provide_info goes back to where the ticket was waiting from --------------------------


@pytest.mark.parametrize("previous", ["acknowledged", "in_progress"])
def test_provide_info_returns_to_the_state_before_the_wait(previous: str):
    asked = attempt(previous, "request_info", "owner")
    answered = attempt(asked.to_status, "provide_info", "reporter", previous_status=previous)
    assert answered.to_status == previous


@pytest.mark.parametrize("previous", [None, "on_hold", "submitted", "waiting_on_resident"])
def test_provide_info_without_a_state_it_could_have_waited_from_is_a_caller_bug(previous):
    with pytest.raises(ValueError, match="previous_status"):
        attempt("waiting_on_resident", "provide_info", "reporter", previous_status=previous)


# --- reopen window -----------------------------------------------------------------------


def test_a_closed_ticket_reopens_up_to_the_end_of_the_window():
    closed_at = NOW - DEFAULT_REOPEN_WINDOW
    assert attempt("closed", "reopen", "reporter", closed_at=closed_at).to_status == "reopened"


def test_a_closed_ticket_does_not_reopen_after_the_window():
    closed_at = NOW - DEFAULT_REOPEN_WINDOW - timedelta(seconds=1)
    with pytest.raises(Conflict, match="reopen window ended"):
        attempt("closed", "reopen", "reporter", closed_at=closed_at)
    listed = available_actions(
        TicketStatus.CLOSED, frozenset({Relation.REPORTER}), now=NOW, closed_at=closed_at
    )
    assert Action.REOPEN not in listed
    assert Action.RATE in listed


def test_a_tenant_sets_its_own_reopen_window():
    closed_at = NOW - timedelta(days=3)
    with pytest.raises(Conflict):
        attempt("closed", "reopen", "reporter", closed_at=closed_at, reopen_window=timedelta(2))
    step = attempt("closed", "reopen", "reporter", closed_at=closed_at, reopen_window=timedelta(3))
    assert step.to_status == "reopened"


def test_a_resolved_ticket_reopens_whatever_the_time():
    step = attempt("resolved", "reopen", "reporter", now=NOW + timedelta(days=365))
    assert step.to_status == "reopened"


def test_a_closed_ticket_needs_its_closing_time_and_times_need_a_zone():
    with pytest.raises(ValueError, match="closed_at"):
        attempt("closed", "comment", "reporter", closed_at=None)
    with pytest.raises(ValueError, match="closed_at"):
        available_actions(TicketStatus.CLOSED, frozenset({Relation.REPORTER}), now=NOW)
    with pytest.raises(ValueError, match="now"):
        attempt("submitted", "acknowledge", "owner", now=NOW.replace(tzinfo=None))


# --- several relations at once ---------------------------------------------------------


@pytest.mark.parametrize("action", ["confirm", "rate"])
def test_the_owner_may_not_confirm_or_rate_their_own_work_even_as_reporter(action: str):
    with pytest.raises(Forbidden, match="owner"):
        attempt("resolved", action, "reporter owner")
    # A supervisor who reported it is independent of the work and may judge it.
    assert attempt("resolved", action, "reporter supervisor").acting_as == "reporter"


def test_an_unrelated_relation_does_not_block_a_qualifying_one():
    assert attempt("submitted", "comment", "other reporter").acting_as == "reporter"


def test_staff_capacity_is_recorded_when_a_person_holds_several_relations():
    assert attempt("submitted", "comment", "reporter owner").acting_as == "owner"
    assert attempt("in_progress", "escalate", "system supervisor").acting_as == "supervisor"


def test_no_relation_at_all_is_forbidden():
    with pytest.raises(Forbidden, match="only owner, supervisor or system may acknowledge"):
        attempt("submitted", "acknowledge", "")


def test_refusals_say_what_would_have_been_allowed():
    with pytest.raises(Conflict, match="cannot acknowledge a ticket that is closed") as refused:
        attempt("closed", "acknowledge", "owner")
    assert "reopened or submitted" in refused.value.detail


def test_the_wrong_state_is_reported_before_missing_details():
    with pytest.raises(Conflict):
        attempt("closed", "reject", "owner", reason_code=None)


# --- details ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "field"),
    [
        ("in_progress", "request_info", "note"),
        ("acknowledged", "hold", "meeting_id"),
        ("in_progress", "resolve", "note"),
        ("resolved", "reopen", "note"),
        ("submitted", "reject", "reason_code"),
        ("submitted", "merge", "merge_target"),
        ("submitted", "comment", "note"),
        ("submitted", "callback", "note"),
        ("resolved", "rate", "rating"),
        ("submitted", "transfer", "reason_code"),
        ("submitted", "escalate", "reason_code"),
    ],
)
def test_a_missing_required_detail_names_its_field(status: str, action: str, field: str):
    relation = "reporter" if action in ("reopen", "rate", "comment") else "owner"
    with pytest.raises(InvalidInput) as refused:
        attempt(status, action, relation, **{field: None})
    assert refused.value.field == field


@pytest.mark.parametrize("blank", ["", "   \n"])
def test_a_blank_note_counts_as_missing(blank: str):
    with pytest.raises(InvalidInput) as refused:
        attempt("in_progress", "resolve", "owner", note=blank)
    assert refused.value.field == "note"


def test_notes_are_recorded_without_surrounding_whitespace():
    assert attempt("in_progress", "resolve", "owner", note="  Fixed.\n").note == "Fixed."


def test_a_note_may_explain_any_action_and_is_otherwise_empty():
    assert attempt("submitted", "acknowledge", "owner", note="On my way").note == "On my way"
    assert attempt("submitted", "acknowledge", "owner").note is None


@pytest.mark.parametrize("rating", [0, 6, -1, True, 2.5])
def test_a_rating_outside_one_to_five_is_refused(rating: object):
    with pytest.raises(InvalidInput) as refused:
        attempt("closed", "rate", "reporter", rating=rating)
    assert refused.value.field == "rating"


@pytest.mark.parametrize("rating", [1, 5])
def test_ratings_at_both_ends_are_accepted_with_a_comment(rating: int):
    step = attempt("resolved", "rate", "reporter", rating=rating, note="Quick work")
    assert (step.rating, step.note, step.to_status) == (rating, "Quick work", "resolved")


@pytest.mark.parametrize("code", ["Out Of Scope", "1st", "dup-report", "x" * 65])
def test_a_reason_code_must_be_a_code(code: str):
    with pytest.raises(InvalidInput) as refused:
        attempt("submitted", "reject", "owner", reason_code=code)
    assert refused.value.field == "reason_code"


def test_a_ticket_cannot_be_merged_into_itself():
    with pytest.raises(InvalidInput) as refused:
        attempt("submitted", "merge", "owner", merge_target=TICKET)
    assert refused.value.field == "merge_target"


def test_details_an_action_does_not_take_are_refused_not_dropped():
    with pytest.raises(InvalidInput) as refused:
        attempt("submitted", "comment", "reporter", rating=5)
    assert refused.value.field == "rating"
    with pytest.raises(InvalidInput) as refused:
        attempt("in_progress", "resolve", "owner", reason_code="fixed")
    assert refused.value.field == "reason_code"


def test_recorded_details_are_the_ones_given():
    meeting = uuid4()
    step = attempt("in_progress", "hold", "owner", meeting_id=meeting)
    assert (step.meeting_id, step.to_status) == (meeting, "on_hold")
    step = attempt("reopened", "merge", "supervisor")
    assert (step.merge_target, step.to_status) == (OTHER_TICKET, "merged")
    step = attempt("on_hold", "transfer", "tenant_admin")
    assert (step.reason_code, step.to_status) == ("wrong_grid", "submitted")


# --- SLA clocks --------------------------------------------------------------------------


def test_clocks_pause_while_waiting_on_the_resident_or_a_joint_meeting():
    assert {s.value for s in PAUSING_STATES} == {"waiting_on_resident", "on_hold"}


@pytest.mark.parametrize(
    ("status", "action", "pauses", "resumes"),
    [
        ("in_progress", "request_info", True, False),
        ("acknowledged", "hold", True, False),
        ("waiting_on_resident", "provide_info", False, True),
        ("on_hold", "release", False, True),
        ("on_hold", "transfer", False, True),
        ("waiting_on_resident", "comment", False, False),
        ("on_hold", "escalate", False, False),
        ("submitted", "acknowledge", False, False),
    ],
)
def test_each_step_says_whether_it_pauses_or_resumes_clocks(
    status: str, action: str, pauses: bool, resumes: bool
):
    step = attempt(status, action, "owner")
    assert (step.pauses_sla_clocks, step.resumes_sla_clocks) == (pauses, resumes)


def test_the_rules_table_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        RULES[Action.COMMENT] = RULES[Action.CALLBACK]  # type: ignore[index]
