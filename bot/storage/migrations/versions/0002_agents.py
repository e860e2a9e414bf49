"""Agent accounts, the console audit log, and ticket kinds (message / callback).

Revision ID: 0002_agents
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_agents"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("team", sa.String(60), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"])
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="live"))
        batch.add_column(sa.Column("callback_at", TZ, nullable=True))
        batch.add_column(sa.Column("contact", sa.String(40), nullable=True))
    op.create_index("ix_ticket_events_at", "ticket_events", ["at"])
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_created_at", "tickets")
    op.drop_index("ix_ticket_events_at", "ticket_events")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("contact")
        batch.drop_column("callback_at")
        batch.drop_column("kind")
    op.drop_table("audit_log")
    op.drop_table("agents")
