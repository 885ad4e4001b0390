"""Who could take over when an expert drops out of a session or of an association.

A candidate takes the leaving expert's place in the affected sessions, same day
and time. The domain checker's rules decide who may (qualified, free then,
within caps, no conflict, right mode): a candidate is listed only when the
substitution adds no violation. Those left are ranked, best first, and each
says why, in Japanese first and in English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from domain.checker import Violation, check_plan
from domain.plan import Plan, Stats
from domain.plan import Session as PlanSession
from domain.scenario import Association, Expert, Scenario
from service.config import Settings
from service.db.models import JobRow, SessionRow
from service.logic import audit, jobs
from service.logic.errors import Conflict, NotFound
from service.logic.plans import schedule, session_row
from service.logic.records import dump
from service.logic.state import HELD_STATES, current_scenario


@dataclass(frozen=True)
class Scope:
    """The sessions a replacement changes and why those."""

    association_id: str
    leaving: str
    session_ids: tuple[int, ...]
    lead: bool
    note: str
    note_en: str


@dataclass
class Candidate:
    expert_id: str
    name: str
    reasons: list[str] = field(default_factory=list)
    reasons_en: list[str] = field(default_factory=list)
    rank_key: tuple[int, ...] = ()


def scope_of_session(db: Session, session_id: int, leaving: str) -> Scope:
    """One session; a lead is replaced in all the association's sessions not held yet."""
    row = session_row(db, session_id)
    session = PlanSession.model_validate(row.data)
    if leaving not in session.expert_ids:
        # The expert's part in the session is the resource asked for, and it does not exist.
        raise NotFound(f"expert {leaving} is not in session {session_id} (query expert_id)")
    if row.state in HELD_STATES:
        raise Conflict(f"session {session_id} was held; it cannot change")
    if session.lead_id != leaving:
        return Scope(row.association_id, leaving, (row.id,), False,
                     "この回のみ交代", "this session only")
    return _association_scope(db, row.association_id, leaving, lead=True)


def scope_of_association(db: Session, association_id: str, leaving: str) -> Scope:
    rows = [r for r in schedule(db, association_id) if leaving in r.data["expert_ids"]]
    if not rows:
        raise NotFound(f"expert {leaving} has no session with association {association_id}"
                       " (query expert_id)")
    lead = any(r.data["expert_ids"][0] == leaving for r in rows)
    return _association_scope(db, association_id, leaving, lead)


def _association_scope(db: Session, association_id: str, leaving: str, lead: bool) -> Scope:
    rows = [r for r in schedule(db, association_id)
            if leaving in r.data["expert_ids"] and r.state not in HELD_STATES]
    if not rows:
        raise Conflict(f"every session of {leaving} with {association_id} was held already")
    if lead:
        note = "主担当の交代：未実施のすべての回を引き継ぐ（主担当は全回同一）"
        note_en = "lead change: takes over every session not held yet (one lead for all)"
    else:
        note, note_en = "未実施の回を引き継ぐ", "takes over the sessions not held yet"
    return Scope(association_id, leaving, tuple(r.id for r in rows), lead, note, note_en)


def _substituted(session: PlanSession, leaving: str, joining: str) -> PlanSession:
    experts = [joining if e == leaving else e for e in session.expert_ids]
    return session.model_copy(update={"expert_ids": list(dict.fromkeys(experts))})


def _plan(sessions: Sequence[PlanSession]) -> Plan:
    # Only the sessions matter to the rules checked here; the figures are not read.
    return Plan(scenario_sha256="", sessions=list(sessions), unserved=[],
                stats=Stats(served=0, unserved=0, served_upper_bound=0, solver_status="",
                            wall_seconds=0.0))


def _new_violations(scenario: Scenario, rows: list[SessionRow], scope: Scope,
                    joining: str) -> list[Violation]:
    changing = set(scope.session_ids)
    involved = [r for r in rows if r.association_id == scope.association_id
                or joining in r.data["expert_ids"] or r.id in changing]
    before = [PlanSession.model_validate(r.data) for r in involved]
    after = [_substituted(PlanSession.model_validate(r.data), scope.leaving, joining)
             if r.id in changing else PlanSession.model_validate(r.data) for r in involved]
    known = set(check_plan(scenario, _plan(before)))
    return [v for v in check_plan(scenario, _plan(after)) if v not in known]


def _explain(scenario: Scenario, expert: Expert, association: Association,
             load: int) -> Candidate:
    words = scenario.programme.words
    candidate = Candidate(expert.id, expert.name)
    covered = [need for need in association.needs if scenario.covers(expert, need)]
    primary = association.primary_need in covered
    secondary = [need for need in covered if need != association.primary_need]
    if primary:
        label = words.needs[association.primary_need]
        candidate.reasons.append(f"主たるニーズ「{label.ja}」に対応")
        candidate.reasons_en.append(f"covers the primary need ({label.en})")
    if secondary:
        candidate.reasons.append("副次ニーズにも対応：" + "、".join(
            words.needs[n].ja for n in secondary))
        candidate.reasons_en.append("also covers " + ", ".join(
            words.needs[n].en for n in secondary))
    industry = association.industry in expert.industries
    if industry:
        candidate.reasons.append(f"業種（{association.industry}）の経験あり")
        candidate.reasons_en.append(f"knows the industry ({association.industry})")
    near = expert.base_area is not None and expert.base_area == association.city
    if near:
        candidate.reasons.append(f"拠点が同じ地域（{association.city}）")
        candidate.reasons_en.append(f"based in the same area ({association.city})")
    candidate.reasons.append(f"現在の担当 {load} 回")
    candidate.reasons_en.append(f"{load} sessions in the schedule now")
    candidate.rank_key = (-int(primary), -len(secondary), -int(industry), load, -int(near))
    return candidate


def candidates(db: Session, scope: Scope) -> list[Candidate]:
    """Experts who may take over within the hard rules, best first, each with why."""
    scenario = current_scenario(db)
    rows = schedule(db)
    # Held sessions must stay as they are; pinned ones may change when an expert leaves.
    held = [PlanSession.model_validate(r.data) for r in rows if r.state in HELD_STATES]
    held_only = scenario.model_copy(update={"pinned": [
        p for p in scenario.pinned if p in held]})
    association = scenario.association_by_id[scope.association_id]
    in_scope = [r for r in rows if r.id in scope.session_ids]
    present = {e for r in in_scope for e in r.data["expert_ids"]}
    found = []
    for expert in scenario.experts:
        if expert.id in present or scope.association_id in expert.conflicts:
            continue
        if _new_violations(held_only, rows, scope, expert.id):
            continue
        load = sum(1 for r in rows if expert.id in r.data["expert_ids"])
        found.append(_explain(scenario, expert, association, load))
    found.sort(key=lambda c: (*c.rank_key, c.expert_id))
    return found


def _check_allowed(db: Session, scope: Scope, joining: str) -> None:
    allowed = {c.expert_id for c in candidates(db, scope)}
    if joining not in allowed:
        raise Conflict(f"{joining} cannot take over from {scope.leaving} here: not qualified, "
                       "not free, over a cap or in conflict (see the candidates list)")


def replace(db: Session, scope: Scope, joining: str, actor: str) -> list[SessionRow]:
    """Put ``joining`` in ``leaving``'s place in the scope, if the rules allow it."""
    _check_allowed(db, scope, joining)
    changed = []
    for row in schedule(db, scope.association_id):
        if row.id in scope.session_ids:
            session = _substituted(PlanSession.model_validate(row.data), scope.leaving, joining)
            row.data = dump(session)
            changed.append(row)
    audit.record(db, actor, "replace", "association", scope.association_id,
                 leaving=scope.leaving, joining=joining, sessions=list(scope.session_ids))
    return changed


def replan(db: Session, scope: Scope, joining: str, request: jobs.PlanRequest, actor: str,
           settings: Settings) -> JobRow:
    """Ask for a re-plan with ``joining`` pinned in ``leaving``'s place in the scope.

    The schedule does not change: the result is a draft, compared with the schedule and
    published like any other. The rest of the schedule is kept where it can be.
    """
    _check_allowed(db, scope, joining)
    pinned = [dump(_substituted(PlanSession.model_validate(row.data), scope.leaving, joining))
              for row in schedule(db, scope.association_id) if row.id in scope.session_ids]
    job = jobs.enqueue(db, request, actor, settings, replacement={
        "association_id": scope.association_id, "leaving": scope.leaving,
        "joining": joining, "session_ids": list(scope.session_ids), "pinned": pinned})
    audit.record(db, actor, "replan_with_replacement", "association", scope.association_id,
                 leaving=scope.leaving, joining=joining, sessions=list(scope.session_ids),
                 job_id=job.id)
    return job
