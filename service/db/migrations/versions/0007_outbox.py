"""The outbox of e-mail, the invitations last sent, and each person's choice of delivery

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("calendar", sa.JSON(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_next", ["status", "next_attempt_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_subject_id"), ["subject_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_created_at"), ["created_at"], unique=False)
    op.create_table(
        "invitation_states",
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", "subject_id"),
    )
    # Plain ADD COLUMN (no batch copy), so SQLite keeps the feed triggers of 0003.
    op.add_column("experts", sa.Column("delivery", sa.String(length=16), nullable=True))
    op.add_column("associations", sa.Column("delivery", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("associations", "delivery")
    op.drop_column("experts", "delivery")
    op.drop_table("invitation_states")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_created_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_subject_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_kind"))
        batch_op.drop_index("ix_outbox_status_next")
    op.drop_table("outbox")
