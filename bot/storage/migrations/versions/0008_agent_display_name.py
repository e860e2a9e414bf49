"""Agents get a display name (what citizens and colleagues see, e.g. in the canned greeting).

Revision ID: 0008_agent_display_name
Revises: 0007_insights
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_agent_display_name"
down_revision = "0007_insights"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("display_name", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("display_name")
