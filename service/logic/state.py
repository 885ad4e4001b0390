"""The current state as the exchange format sees it, and the checks every change passes.

After each change the whole state is read back as a scenario and validated with
the domain's own loader, so the database always holds a scenario that loads and
the API's errors name the record and field exactly as ``haken plan`` would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from domain.errors import InputError
from domain.loading import parse_scenario
from domain.scenario import Programme, Scenario
from service.db.models import (
    AssociationRow,
    Base,
    EligibilityCheckRow,
    ExpertRow,
    ProgrammeRow,
    SessionRow,
    UTCDateTime,
    utcnow,
)
from service.logic.errors import Conflict, Invalid, PreconditionFailed, PreconditionRequired

PROGRAMME_ID = 1
# A session that took place: held, then reported, confirmed, approved and paid.
HELD_STATES = ("held", "reported", "confirmed", "approved", "paid")
# A session that did not take place: called off beforehand, or someone did not come.
CALLED_OFF_STATES = ("cancelled", "no_show")
# Session states that every re-plan keeps exactly as they are.
PINNED_STATES = ("pinned", *HELD_STATES)


def programme_row(db: Session) -> ProgrammeRow:
    row = db.get(ProgrammeRow, PROGRAMME_ID)
    if row is None:
        raise Conflict("no programme yet: PUT /api/v1/programme or import a scenario first")
    return row


def programme(db: Session) -> Programme:
    return Programme.model_validate(programme_row(db).data)


def today(db: Session) -> dt.date:
    """Today's date in the programme's time zone."""
    zone = zoneinfo.ZoneInfo(programme(db).timezone)
    return utcnow().astimezone(zone).date()


def scenario_document(db: Session,
                      extra_pinned: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The current state in the exchange format; pinned = pinned and held sessions, and
    ``extra_pinned`` (a replacement chosen for one re-plan) in place of the same sessions."""
    accepted = set(db.scalars(select(AssociationRow.id)
                              .where(AssociationRow.status == "accepted")))
    by_key = {(row.association_id, row.number): row.data for row in db.scalars(
        select(SessionRow).where(SessionRow.state.in_(PINNED_STATES)))}
    by_key.update({(s["association_id"], s["number"]): s for s in extra_pinned})
    pinned = [by_key[key] for key in sorted(by_key) if key[0] in accepted]
    return {
        "programme": programme_row(db).data,
        "experts": [row.data for row in db.scalars(select(ExpertRow).order_by(ExpertRow.id))],
        "associations": [row.data for row in
                         db.scalars(select(AssociationRow).order_by(AssociationRow.id))],
        "pinned": pinned,
    }


def current_scenario(db: Session,
                     extra_pinned: Sequence[dict[str, Any]] = ()) -> Scenario:
    """The state as a validated scenario; raises Invalid naming each bad record and field."""
    return parse_state(scenario_document(db, extra_pinned))


def parse_state(document: dict[str, Any]) -> Scenario:
    """``scenario_document``'s document validated; raises Invalid naming each bad record
    and field."""
    try:
        return parse_scenario(document, "current state")
    except InputError as error:
        raise Invalid(error.issues, prefix=()) from None


def validate(db: Session) -> Scenario:
    """Check the state after a change, before it is committed."""
    db.flush()
    return current_scenario(db)


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(version: int, if_match: str | None, what: str) -> None:
    """Optimistic concurrency: a change must name the version it was made from."""
    if if_match is None:
        raise PreconditionRequired(
            f"{what}: send If-Match with the ETag you read, so that no one's change is "
            "overwritten unseen")
    offered = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" in offered:  # matches any version: it would overwrite unseen all the same
        raise PreconditionRequired(
            f"{what}: If-Match * names no version; send the ETag you read")
    if etag(version) in offered:
        return
    raise PreconditionFailed(
        f"{what} has changed since you read it (now version {version}); read it again, "
        "reapply your change and send the new ETag")


def state_etag(db: Session) -> str:
    """The version of everything ``PUT /scenario`` replaces: a hash of its content, so
    any change to the programme, a record, the schedule or the screening changes it."""
    digest = hashlib.sha256()
    tables: tuple[type[Base], ...] = (ProgrammeRow, ExpertRow, AssociationRow, SessionRow,
                                      EligibilityCheckRow)
    for table in tables:
        columns = list(inspect(table).columns)
        keys = [column for column in columns if column.primary_key]
        for row in db.scalars(select(table).order_by(*keys)):
            # Times of writing are left out: read back, they differ from what was written
            # (SQLite keeps no offset) while the content is the same.
            shown = {column.key: getattr(row, column.key) for column in columns
                     if not isinstance(column.type, UTCDateTime)}
            digest.update(json.dumps(shown, sort_keys=True, default=str,
                                     ensure_ascii=False).encode())
            digest.update(b"\n")
        digest.update(table.__tablename__.encode() + b"\0")
    return f'"state-{digest.hexdigest()[:32]}"'


def check_state_if_match(db: Session, if_match: str | None) -> None:
    """Replacing the whole state must name the state it was read as (none needed while
    there is no programme yet: nothing would be overwritten)."""
    if db.get(ProgrammeRow, PROGRAMME_ID) is None and if_match is None:
        return
    what = "the whole state (GET /api/v1/scenario gives its ETag)"
    if if_match is None:
        raise PreconditionRequired(
            f"{what}: send If-Match with the ETag you read, so that no one's change is "
            "overwritten unseen")
    offered = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" in offered:
        raise PreconditionRequired(f"{what}: If-Match * names no version; send the ETag")
    if state_etag(db) not in offered:
        raise PreconditionFailed(f"{what} has changed since you read it; read it again")
