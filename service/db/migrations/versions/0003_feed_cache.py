"""Feed cache: a generation counter of everything a feed shows, and the served feed's validity

A fetch answers from the stored feed (``feed_states``) while the generation it was
rendered at is still current and no cancelled event in it has reached the end of its
grace period; otherwise it renders again. The counter is moved by triggers, so no
writer (API, worker, CLI, or plain SQL) can change a feed's inputs without it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 07:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table whose rows a feed shows: the programme's words and contact, experts'
# and associations' names and addresses, association status, the schedule.
FEED_INPUTS = ("programme", "experts", "associations", "sessions")
BUMP = "UPDATE feed_inputs SET generation = generation + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "feed_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO feed_inputs (id, generation) VALUES (1, 0)")
    with op.batch_alter_table("feed_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("generation", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("fresh_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("events", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # BEFORE the statement: a transaction locks the counter's row before any row of
        # these tables, so two writers cannot each hold what the other waits for.
        op.execute("CREATE FUNCTION feed_inputs_changed() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {BUMP}; RETURN NULL; END $$")
        for table in FEED_INPUTS:
            op.execute(f"CREATE TRIGGER feed_inputs_{table} BEFORE INSERT OR UPDATE OR DELETE "
                       f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                       "EXECUTE FUNCTION feed_inputs_changed()")
    else:  # SQLite has row triggers only, one per kind of change
        for table in FEED_INPUTS:
            for change in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER feed_inputs_{table}_{change.lower()} AFTER {change} "
                           f"ON {table} BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FEED_INPUTS:
            op.execute(f"DROP TRIGGER feed_inputs_{table} ON {table}")
        op.execute("DROP FUNCTION feed_inputs_changed()")
    else:
        for table in FEED_INPUTS:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER feed_inputs_{table}_{change}")
    with op.batch_alter_table("feed_states", schema=None) as batch_op:
        batch_op.drop_column("events")
        batch_op.drop_column("fresh_until")
        batch_op.drop_column("generation")
    op.drop_table("feed_inputs")
