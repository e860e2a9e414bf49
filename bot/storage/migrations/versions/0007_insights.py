"""Insights: outcome events (what each turn came to) and clusters of unanswered questions.

Revision ID: 0007_insights
Revises: 0006_case_workflow
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_insights"
down_revision = "0006_case_workflow"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outcome_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("simple_mode", sa.Boolean, nullable=False),
        sa.Column("form", sa.String(80), nullable=True),
        sa.Column("field", sa.String(80), nullable=True),
        sa.Column("step", sa.Integer, nullable=True),
        sa.Column("guide", sa.String(120), nullable=True),
        sa.Column("message_id", sa.Integer, nullable=True),
        sa.Column("ticket_id", sa.Integer, nullable=True),
    )
    op.create_index("ix_outcome_events_at", "outcome_events", ["at"])
    op.create_index("ix_outcome_events_subject_at", "outcome_events", ["subject", "at"])
    op.create_table(
        "question_clusters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_at", TZ, nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("recent", sa.Integer, nullable=False),
        sa.Column("previous", sa.Integer, nullable=False),
        sa.Column("message_ids", sa.JSON, nullable=False),
        sa.Column("examples", sa.JSON, nullable=False),
        sa.Column("guide", sa.String(120), nullable=True),
        sa.Column("guide_score", sa.Float, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("covered_by", sa.String(120), nullable=True),
        sa.Column("marked_by", sa.String(100), nullable=True),
        sa.Column("marked_at", TZ, nullable=True),
    )
    op.create_index("ix_question_clusters_run_at", "question_clusters", ["run_at"])


def downgrade() -> None:
    op.drop_table("question_clusters")
    op.drop_table("outcome_events")
