"""Console roles: an account is an agent, supervisor, caseworker or editor (a CHECK on
agents.role); also joins the two heads (0002_agents, 0003_cases) into one.

Revision ID: 0004_roles
Revises: 0002_agents, 0003_cases
Create Date: 2026-12-07
"""

from alembic import op

revision = "0004_roles"
down_revision = ("0002_agents", "0003_cases")
branch_labels = None
depends_on = None

ROLES = ("agent", "supervisor", "caseworker", "editor")


def upgrade() -> None:
    allowed = ", ".join(f"'{role}'" for role in ROLES)
    with op.batch_alter_table("agents") as batch:
        batch.create_check_constraint("ck_agents_role", f"role IN ({allowed})")


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_constraint("ck_agents_role", type_="check")
