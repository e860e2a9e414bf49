"""Agents label the questions the assistant declined or clarified (the guide that answers them,
or none); `civic kb calibrate` fits the city's decision model on them.

Revision ID: 0009_question_labels
Revises: 0008_agent_display_name
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_question_labels"
down_revision = "0008_agent_display_name"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_labels",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.Integer, nullable=False, unique=True),
        sa.Column("ticket_id", sa.Integer, nullable=True),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("guide", sa.String(120), nullable=True),
        sa.Column("labelled_by", sa.String(100), nullable=False),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("question_labels")
