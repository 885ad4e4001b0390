"""A session's life after the plan: held details, the expert's report, the association's
confirmation and survey, travel claims, cancellations and no-shows, approval, self-service links

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns added to sessions, all nullable (sessions not held have none of them).
SESSION_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("held_on", sa.Date()),
    ("held_start", sa.String(length=5)),
    ("held_end", sa.String(length=5)),
    ("held_mode", sa.String(length=16)),
    ("attendees", sa.JSON()),
    ("report_due_on", sa.Date()),
    ("approved_at", sa.DateTime(timezone=True)),
    ("approved_by", sa.String(length=100)),
    ("paid_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        for name, kind in SESSION_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    op.create_table(
        "session_reports",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.String(length=64), nullable=False),
        sa.Column("work_done", sa.Text(), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("manual_progress", sa.String(length=32), nullable=False),
        sa.Column("progress_note", sa.Text(), nullable=False),
        sa.Column("next_tasks", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.PrimaryKeyConstraint("session_id"),
    )
    with op.batch_alter_table("session_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_reports_expert_id"), ["expert_id"],
                              unique=False)
    op.create_table(
        "travel_claims",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.String(length=64), nullable=False),
        sa.Column("yen", sa.Integer(), nullable=False),
        sa.Column("receipt_note", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.PrimaryKeyConstraint("session_id", "expert_id"),
    )
    op.create_table(
        "session_confirmations",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("as_reported", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_table(
        "association_surveys",
        sa.Column("association_id", sa.String(length=64), nullable=False),
        sa.Column("manual_completed", sa.Boolean(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("distribution", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["association_id"], ["associations.id"]),
        sa.PrimaryKeyConstraint("association_id"),
    )
    op.create_table(
        "session_cancellations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("expert_ids", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("session_cancellations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_cancellations_session_id"),
                              ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_session_cancellations_association_id"),
                              ["association_id"], unique=False)
    op.create_table(
        "self_service_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("self_service_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_self_service_links_subject_id"), ["subject_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("self_service_links")
    op.drop_table("session_cancellations")
    op.drop_table("association_surveys")
    op.drop_table("session_confirmations")
    op.drop_table("travel_claims")
    op.drop_table("session_reports")
    # Plain ALTER TABLE (SQLite 3.35+ has DROP COLUMN): a batch would copy the table and
    # lose the feed triggers of migration 0003.
    for name, _ in reversed(SESSION_COLUMNS):
        op.drop_column("sessions", name)
