"""Cases: submitted forms with their reference number, answers, channel and status.

Revision ID: 0003_cases
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_cases"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(40), nullable=False, unique=True),
        sa.Column("citizen_id", sa.String(200), nullable=False),
        sa.Column("form", sa.String(80), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("submission_key", sa.String(64), nullable=True, unique=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_cases_citizen_id", "cases", ["citizen_id"])


def downgrade() -> None:
    op.drop_table("cases")
