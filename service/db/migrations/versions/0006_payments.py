"""Payments: payees and their bank accounts, closed months, their entries, the sessions
paid, adjustments

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payees",
        sa.Column("expert_id", sa.String(length=64), nullable=False),
        sa.Column("payee_type", sa.String(length=16), nullable=False),
        sa.Column("bank_code", sa.String(length=4), nullable=False),
        sa.Column("bank_name", sa.String(length=15), nullable=False),
        sa.Column("branch_code", sa.String(length=3), nullable=False),
        sa.Column("branch_name", sa.String(length=15), nullable=False),
        sa.Column("account_type", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=7), nullable=False),
        sa.Column("holder_name", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("expert_id"),
    )
    op.create_table(
        "payment_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("pay_on", sa.Date(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("net_yen", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    op.create_index("ix_payment_months_pay_on", "payment_months", ["pay_on"])
    op.create_table(
        "payment_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("expert_id", sa.String(length=64), nullable=False),
        sa.Column("payee_type", sa.String(length=16), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("fee_yen", sa.BigInteger(), nullable=False),
        sa.Column("travel_yen", sa.BigInteger(), nullable=False),
        sa.Column("adjustment_yen", sa.BigInteger(), nullable=False),
        sa.Column("gross_yen", sa.BigInteger(), nullable=False),
        sa.Column("withholding_yen", sa.BigInteger(), nullable=False),
        sa.Column("net_yen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["month"], ["payment_months.month"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "expert_id"),
    )
    op.create_index("ix_payment_entries_month", "payment_entries", ["month"])
    op.create_index("ix_payment_entries_expert_id", "payment_entries", ["expert_id"])
    op.create_table(
        "paid_sessions",
        sa.Column("association_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(["month"], ["payment_months.month"]),
        sa.PrimaryKeyConstraint("association_id", "number", "expert_id"),
    )
    op.create_index("ix_paid_sessions_month", "paid_sessions", ["month"])
    op.create_table(
        "payment_adjustments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("expert_id", sa.String(length=64), nullable=False),
        sa.Column("amount_yen", sa.BigInteger(), nullable=False),
        sa.Column("taxable", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("paid_in", sa.String(length=7), nullable=True),
        sa.ForeignKeyConstraint(["paid_in"], ["payment_months.month"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_payment_adjustments_expert_id", "payment_adjustments", ["expert_id"])
    op.create_index("ix_payment_adjustments_paid_in", "payment_adjustments", ["paid_in"])
    _refuse_changes_to_closed_months()


# A closed month is written once: the database itself refuses to change or delete it, its
# entries, its paid sessions and the adjustments it paid, whoever tries.
CLOSED_TABLES = ("payment_months", "payment_entries", "paid_sessions")
MESSAGE = "a closed month cannot change; a correction is an adjustment in a later month"


def _refuse_changes_to_closed_months() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION payments_closed_unchanged() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '%: {MESSAGE}', "
                   "TG_TABLE_NAME; END $$")
        for table in CLOSED_TABLES:
            op.execute(f"CREATE TRIGGER {table}_closed BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION payments_closed_unchanged()")
            op.execute(f"CREATE TRIGGER {table}_closed_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION payments_closed_unchanged()")
        op.execute("CREATE TRIGGER payment_adjustments_paid BEFORE UPDATE OR DELETE ON "
                   "payment_adjustments FOR EACH ROW WHEN (OLD.paid_in IS NOT NULL) "
                   "EXECUTE FUNCTION payments_closed_unchanged()")
    else:
        for table in CLOSED_TABLES:
            for change in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_closed_{change.lower()} BEFORE {change} "
                           f"ON {table} BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END")
        for change in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER payment_adjustments_paid_{change.lower()} BEFORE "
                       f"{change} ON payment_adjustments WHEN OLD.paid_in IS NOT NULL BEGIN "
                       f"SELECT RAISE(ABORT, 'payment_adjustments: {MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION payments_closed_unchanged() CASCADE")
    else:
        for table in (*CLOSED_TABLES, "payment_adjustments"):
            for change in ("update", "delete"):
                suffix = "paid" if table == "payment_adjustments" else "closed"
                op.execute(f"DROP TRIGGER {table}_{suffix}_{change}")
    op.drop_table("payment_adjustments")
    op.drop_table("paid_sessions")
    op.drop_table("payment_entries")
    op.drop_table("payment_months")
    op.drop_table("payees")
