"""One table for the application window's override: application_window folded into
application_window_overrides

The public form (0008) kept a one-row ``application_window`` (start, end, closed) and the
home page (0010) rows of ``application_window_overrides`` (closes_on, newest in force). The
window now has one override, the latter. A stored ``application_window`` row becomes the
newest override: ``closed`` as closing it the day before it was set, else its ``end``. Its
``start`` has no counterpart (no part of the service ever set it; the programme's period
start holds) and is named in the moved row's reason when it was set.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03 16:50:00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVED_BY = "migration 0012"


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.datetime.fromisoformat(str(value)).date()


def upgrade() -> None:
    bind = op.get_bind()
    old = sa.table("application_window", sa.column("id", sa.Integer),
                   sa.column("start", sa.Date), sa.column("end", sa.Date),
                   sa.column("closed", sa.Boolean), sa.column("note", sa.Text),
                   sa.column("updated_by", sa.String), sa.column("updated_at", sa.DateTime))
    new = sa.table("application_window_overrides", sa.column("closes_on", sa.Date),
                   sa.column("reason", sa.Text), sa.column("created_by", sa.String),
                   sa.column("created_at", sa.DateTime(timezone=True)))
    for row in bind.execute(sa.select(old).order_by(old.c.id)).mappings():
        if not row["closed"] and row["end"] is None:
            continue  # it changed nothing the new table can say
        closes_on = (_as_date(row["updated_at"]) - dt.timedelta(days=1) if row["closed"]
                     else _as_date(row["end"]))
        reason = row["note"] or ("closed" if row["closed"] else "extended")
        if row["start"] is not None:
            reason += f" (its start {_as_date(row['start']).isoformat()} was not carried over)"
        bind.execute(new.insert().values(
            closes_on=closes_on, reason=f"{reason} [{MOVED_BY}, set by {row['updated_by']}]",
            created_by=row["updated_by"], created_at=row["updated_at"]))
    op.drop_table("application_window")


def downgrade() -> None:
    op.create_table(
        "application_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The overrides stay where they are: the older code reads both tables.
