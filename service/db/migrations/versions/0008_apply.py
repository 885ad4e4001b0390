"""The online application (receipts, the form's rate limit, the window's override) and the
decision letters' templates

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "application_receipts",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("association_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["association_id"], ["associations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("association_id"),
    )
    op.create_table(
        "apply_submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("apply_submissions", schema=None) as batch_op:
        batch_op.create_index("ix_apply_submissions_client_at", ["client", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_apply_submissions_at"), ["at"], unique=False)
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
    op.create_table(
        "letter_templates",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind"),
    )


def downgrade() -> None:
    op.drop_table("letter_templates")
    op.drop_table("application_window")
    with op.batch_alter_table("apply_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apply_submissions_at"))
        batch_op.drop_index("ix_apply_submissions_client_at")
    op.drop_table("apply_submissions")
    op.drop_table("application_receipts")
