"""Cases that move: workflow columns on cases, the case event log, notifications waiting for
office hours, the webhook outbox, departments and their hashed keys, rating reviews.

Revision ID: 0006_case_workflow
Revises: 0005_desk
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_case_workflow"
down_revision = "0005_desk"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("status", type_=sa.String(40), existing_type=sa.String(20))
        batch.add_column(sa.Column("team", sa.String(60), nullable=True))
        batch.add_column(sa.Column("assignee", sa.String(100), nullable=True))
        batch.add_column(sa.Column("rating", sa.Integer, nullable=True))
        batch.add_column(
            sa.Column("rating_asked", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("closed_at", TZ, nullable=True))
    op.create_index("ix_cases_form_status", "cases", ["form", "status"])
    op.create_index("ix_cases_created_at", "cases", ["created_at"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(140), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(40), nullable=True),
        sa.Column("to_status", sa.String(40), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "case_notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("lease_until", TZ, nullable=True),
        sa.Column("sent_at", TZ, nullable=True),
        sa.Column("message_id", sa.Integer, nullable=True),
    )
    op.create_index("ix_case_notifications_case_id", "case_notifications", ["case_id"])
    op.create_index("ix_case_notifications_due", "case_notifications", ["sent_at", "due_at"])
    op.create_table(
        "case_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.String(40), nullable=False, unique=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("form", sa.String(80), nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("payload", sa.JSON, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("lease_until", TZ, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("delivered_at", TZ, nullable=True),
    )
    op.create_index("ix_case_outbox_case_id", "case_outbox", ["case_id"])
    op.create_index("ix_case_outbox_due", "case_outbox", ["state", "next_attempt_at"])
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(60), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("forms", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "case_reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_case_reviews_case_id", "case_reviews", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_reviews")
    op.drop_table("departments")
    op.drop_table("case_outbox")
    op.drop_table("case_notifications")
    op.drop_table("case_events")
    op.drop_index("ix_cases_created_at", "cases")
    op.drop_index("ix_cases_form_status", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("rating_asked")
        batch.drop_column("rating")
        batch.drop_column("assignee")
        batch.drop_column("team")
        batch.alter_column("status", type_=sa.String(20), existing_type=sa.String(40))
