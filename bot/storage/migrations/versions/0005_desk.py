"""The agent desk: each account's capacity, language skills and console language; canned
replies in SQL (per team and language).

Revision ID: 0005_desk
Revises: 0004_roles
Create Date: 2026-12-07
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005_desk"
down_revision = "0004_roles"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)

# the replies console/canned_replies.yml held until this migration (title, lang, text)
SEED = [
    (
        "greeting",
        "en",
        "Hello, my name is {agent}. I have read your conversation with the assistant; "
        "how can I help?",
    ),
    ("greeting", "zh", "您好，我是{agent}。我已经看过您和智能助手的对话，请问有什么可以帮您？"),
    ("one moment", "en", "Thank you. Let me check that for you, it will take a minute."),
    ("one moment", "zh", "谢谢，我帮您查一下，请稍等。"),
    (
        "need reference",
        "en",
        "Could you give me your reference number (it starts with a letter and has 8 digits)?",
    ),
    ("need reference", "zh", "请提供您的业务编号（以字母开头，后面是8位数字）。"),
    (
        "guide link",
        "en",
        "You will find every step in this guide: https://services.lakeside.example/guides/",
    ),
    ("guide link", "zh", "所有步骤都在这份指南里：https://services.lakeside.example/guides/"),
    ("anything else", "en", "Is there anything else I can help you with?"),
    ("anything else", "zh", "请问还有其他需要帮忙的吗？"),
    ("goodbye", "en", "Thank you for contacting Lakeside City. Goodbye!"),
    ("goodbye", "zh", "感谢您联系湖滨市政府服务，再见！"),
]


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("capacity", sa.Integer, nullable=True))
        batch.add_column(sa.Column("languages", sa.String(60), nullable=True))
        batch.add_column(
            sa.Column("console_lang", sa.String(5), nullable=True)
        )  # unset: the browser's
    canned = op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("team", sa.String(60), nullable=True),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_canned_replies_team_lang", "canned_replies", ["team", "lang"])
    now = datetime.now(UTC)
    op.bulk_insert(
        canned,
        [
            {"team": None, "lang": lang, "title": title, "text": text, "updated_at": now,
             "updated_by": "migration"}
            for title, lang, text in SEED
        ],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("canned_replies")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("console_lang")
        batch.drop_column("languages")
        batch.drop_column("capacity")
