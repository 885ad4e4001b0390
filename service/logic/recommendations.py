"""Options on the phone: ways to serve one association (or move one of its sessions)
with every other session of the schedule where it is, and taking one as a draft.

The schedule is the plan (``scheduler.recommend`` holds every session of it). Taking
an option makes a draft plan: the schedule with the option's sessions, checked by the
domain checker, its scenario the current one with those sessions pinned. It is
compared and published like any other draft (``service.logic.plans.publish``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.checker import check_plan
from domain.errors import InputError, Issue
from domain.loading import scenario_sha256
from domain.plan import Plan, Stats, Unserved
from domain.plan import Session as PlanSession
from domain.quality import plan_quality
from domain.scenario import Scenario
from domain.version import HAKEN_VERSION
from scheduler.recommend import Recommendation, recommend, recommend_move
from scheduler.solution import not_accepted
from service.db.models import PlanRow
from service.logic import audit
from service.logic.errors import Conflict, Invalid, NotFound
from service.logic.plans import changes_against_schedule, schedule, session_row
from service.logic.records import dump
from service.logic.state import current_scenario, scenario_document, today

# Taking an option pins its sessions in the draft's scenario under this parameter.
PARAMETER = "recommendation"


def _unserved_as_published(db: Session) -> dict[str, Unserved]:
    """The reasons the published plan gave, where there is one."""
    row = db.scalar(select(PlanRow).where(PlanRow.status == "published")
                    .order_by(PlanRow.id.desc()))
    if row is None:
        return {}
    return {u.association_id: u for u in Plan.model_validate(row.document).unserved}


def schedule_plan(db: Session, scenario: Scenario) -> Plan:
    """The schedule as a plan of ``scenario``: its sessions of accepted associations, the
    other accepted ones unserved (with the published plan's reason where it gave one)."""
    accepted = {a.id for a in scenario.accepted}
    sessions = [PlanSession.model_validate(row.data) for row in schedule(db)
                if row.association_id in accepted]
    served = {s.association_id for s in sessions}
    published = _unserved_as_published(db)
    unserved = []
    for association in sorted(scenario.associations, key=lambda a: a.id):
        if association.id in served:
            continue
        if association.status != "accepted":
            unserved.append(not_accepted(association))
        elif association.id in published and published[association.id].reason != "not_accepted":
            unserved.append(published[association.id])
        else:
            unserved.append(Unserved(
                association_id=association.id, reason="capacity",
                detail="公開中の日程に含まれていません（候補の提示または再計画で割り当て）",
                detail_en="not in the published schedule (take an option or re-plan)"))
    return Plan(scenario_sha256=scenario_sha256(scenario), sessions=sessions,
                unserved=unserved, stats=_stats(scenario, sessions, unserved))


def _stats(scenario: Scenario, sessions: Sequence[PlanSession],
           unserved: Sequence[Unserved]) -> Stats:
    served = len({s.association_id for s in sessions})
    return Stats(served=served, unserved=len(unserved), served_upper_bound=served,
                 solver_status="SCHEDULE", wall_seconds=0.0, accepted=len(scenario.accepted),
                 **plan_quality(scenario, sessions))


def _answer(call: Any) -> Recommendation:
    try:
        result: Recommendation = call()
    except InputError as error:
        # The question is well formed (ids and k are checked first); the state refuses it.
        raise Conflict("; ".join(issue.message for issue in error.issues)) from None
    return result


# An application still being screened is asked about as if accepted today: the
# pre-interview call wants to know what could be offered.
SCREENING = ("received", "interviewed")


def as_if_accepted(scenario: Scenario, association_id: str, on: dt.date) -> Scenario:
    """``scenario`` with an application under screening accepted, decided ``on``."""
    association = scenario.association_by_id[association_id]
    if association.status not in SCREENING:
        return scenario
    accepted = association.model_copy(update={
        "status": "accepted", "decided_on": association.decided_on or on})
    return Scenario.model_construct(
        programme=scenario.programme, experts=scenario.experts, pinned=scenario.pinned,
        associations=[accepted if a.id == association_id else a
                      for a in scenario.associations])


def for_association(db: Session, association_id: str, k: int) -> Recommendation:
    """Ways to serve an association the schedule does not serve: an accepted one, or an
    application under screening as if accepted today."""
    scenario = current_scenario(db)
    if association_id not in scenario.association_by_id:
        raise NotFound(f"no association {association_id}")
    scenario = as_if_accepted(scenario, association_id, today(db))
    if any(row.association_id == association_id for row in schedule(db, association_id)):
        raise Conflict(f"{association_id} has sessions in the schedule; ask for other dates "
                       "for one of its sessions instead")
    plan = schedule_plan(db, scenario)
    return _answer(lambda: recommend(scenario, plan, association_id, k))


def for_session(db: Session, session_id: int, k: int) -> Recommendation:
    """Other dates and times for one session of the schedule (the later ones moved where
    the gap rule needs it)."""
    row = session_row(db, session_id)
    if row.state != "scheduled":
        raise Conflict(f"session {session_id} is {row.state}; it stays where it is")
    scenario = current_scenario(db)
    plan = schedule_plan(db, scenario)
    return _answer(lambda: recommend_move(scenario, plan, row.association_id, row.number, k))


def take(db: Session, association_id: str, chosen: Sequence[PlanSession], actor: str,
         rank: int | None = None) -> PlanRow:
    """A draft plan: the schedule with ``chosen`` (an option's sessions) in place of the
    association's sessions of the same numbers. Refused unless the whole draft passes
    the checker; the schedule itself does not change until the draft is published."""
    if not chosen:
        raise Invalid([Issue("sessions", "an option has at least one session")])
    others = [s for s in chosen if s.association_id != association_id]
    if others:
        raise Invalid([Issue("sessions", f"every session must be of {association_id}, not "
                                         f"{others[0].association_id}")])
    numbers = [s.number for s in chosen]
    if len(set(numbers)) != len(numbers):
        raise Invalid([Issue("sessions", "a session number is given twice")])
    scenario = current_scenario(db)
    if association_id not in scenario.association_by_id:
        raise NotFound(f"no association {association_id}")
    status = scenario.association_by_id[association_id].status
    if status != "accepted":
        raise Conflict(f"{association_id} is {status}; accept it before taking an option")
    current = {(row.association_id, row.number): row for row in schedule(db, association_id)}
    for session in chosen:
        kept = current.get((association_id, session.number))
        if kept is not None and kept.state != "scheduled" and dump(session) != kept.data:
            raise Conflict(f"session {session.number} of {association_id} is {kept.state}; "
                           "it stays where it is")
    plan = schedule_plan(db, scenario)
    replaced = set(numbers)
    sessions = [s for s in plan.sessions
                if s.association_id != association_id or s.number not in replaced]
    sessions = sorted([*sessions, *chosen], key=lambda s: (s.association_id, s.number))
    unserved = [u for u in plan.unserved if u.association_id != association_id]
    pinned = [dump(s) for s in chosen]
    document_scenario = scenario_document(db, pinned)
    pinned_scenario = current_scenario(db, pinned)
    draft = Plan(scenario_sha256=scenario_sha256(pinned_scenario), sessions=sessions,
                 unserved=unserved, stats=_stats(scenario, sessions, unserved))
    violations = check_plan(pinned_scenario, draft)
    if violations:
        raise Conflict("the option no longer fits the schedule: " + "; ".join(
            str(v) for v in violations[:5]) + ("; …" if len(violations) > 5 else ""))
    parameters: dict[str, Any] = {
        PARAMETER: {"association_id": association_id, "rank": rank, "pinned": pinned},
        "haken_version": HAKEN_VERSION}
    row = PlanRow(status="draft", scenario=document_scenario,
                  scenario_sha256=draft.scenario_sha256,
                  document=draft.model_dump(mode="json", exclude_none=True),
                  parameters=parameters, changes=changes_against_schedule(db, draft),
                  created_by=actor)
    db.add(row)
    db.flush()
    audit.record(db, actor, "take_recommendation", "association", association_id,
                 plan_id=row.id, rank=rank, sessions=numbers)
    return row
