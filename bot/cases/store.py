"""Cases: submitted forms, stored in SQL with a readable reference number (RC-2026-000123,
bot/cases/case.py), moving along their form's workflow (bot/cases/workflow.py).

The store is one object made of its parts: reading (bot/cases/queries.py), changes with their
notifications and outbox entries (bot/cases/changes.py), and ratings with their reviews
(bot/cases/reviews.py).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.cases.case import Case, CaseFilter, Event
from bot.cases.changes import CaseChanges
from bot.cases.queries import CaseQueries
from bot.cases.reviews import CaseReviews
from bot.cases.timing import AlwaysOpen, Hours
from bot.cases.workflow import Workflow, workflow_for
from bot.clock import Clock
from bot.storage.db import Database

# console/cases.py still imports these three from here (their home is bot/cases/case.py)
__all__ = ["Case", "CaseFilter", "CaseStore", "Event"]


class CaseStore(CaseQueries, CaseChanges, CaseReviews):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        hours: Hours | None = None,
        workflows: Callable[[str], Workflow] = workflow_for,
    ) -> None:
        self.db = db
        self.clock = clock
        self.hours = hours or AlwaysOpen()
        self.workflow = workflows
