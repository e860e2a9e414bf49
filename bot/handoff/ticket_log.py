"""The SQL side of the handoff queue: tickets and their append-only timing events."""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.handoff import metrics
from bot.storage.db import Database
from bot.storage.models import Ticket, TicketEvent


class TicketLog:
    """Writes tickets and appends their events (every report is computed from these)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def insert(self, citizen_id: str, fields: dict[str, Any], detail: dict[str, Any] | None) -> int:
        now = self.clock.now()
        with self.db.session() as session:
            ticket = Ticket(citizen_id=citizen_id, status="waiting", created_at=now, **fields)
            session.add(ticket)
            session.flush()
            session.add(TicketEvent(ticket_id=ticket.id, kind="requested", at=now, detail=detail))
            session.add(
                TicketEvent(
                    ticket_id=ticket.id, kind="queued", at=now, detail={"team": ticket.team}
                )
            )
            return ticket.id

    def claimed(self, ticket_id: int, agent: str) -> tuple[float, int, bool]:
        """An agent took a waiting ticket by hand: `claimed` and `accepted` at once."""
        return self._take(ticket_id, agent, ("claimed", "accepted"))

    def assigned(self, ticket_id: int, agent: str, detail: dict[str, Any]) -> None:
        """Automatic assignment gave the ticket to an agent (not accepted yet)."""
        self._take(ticket_id, agent, ("assigned",), detail)

    def accepted(self, ticket_id: int, agent: str) -> tuple[float, int, bool]:
        """The agent an assigned ticket went to opened it or wrote."""
        return self._take(ticket_id, agent, ("accepted",))

    def _take(
        self,
        ticket_id: int,
        agent: str,
        kinds: tuple[str, ...],
        detail: dict[str, Any] | None = None,
    ) -> tuple[float, int, bool]:
        """(seconds since the request, priority, whether this is the ticket's first pick-up:
        its first `accepted`)."""
        now = self.clock.now()
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return 0.0, 0, False
            first = "accepted" in kinds and not any(
                True for _ in session.query(TicketEvent.id).filter_by(
                    ticket_id=ticket_id, kind="accepted"
                ).limit(1)
            )  # fmt: skip
            ticket.status, ticket.agent = "claimed", agent
            for kind in kinds:
                session.add(
                    TicketEvent(ticket_id=ticket_id, kind=kind, at=now, agent=agent, detail=detail)
                )
                metrics.EVENTS.labels(kind).inc()
            return (now - ticket.created_at).total_seconds(), ticket.priority, first

    def update(
        self,
        ticket_id: int,
        kind: str,
        agent: str | None,
        detail: dict[str, Any] | None,
        **changes: Any,
    ) -> None:
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return
            if kind == "released":
                ticket.agent = None
            elif kind == "transferred" and detail and detail.get("to_agent"):
                ticket.agent = str(detail["to_agent"])
            elif kind == "transferred":
                ticket.agent = None
            for name, value in changes.items():
                setattr(ticket, name, value)
            session.add(
                TicketEvent(
                    ticket_id=ticket_id, kind=kind, at=self.clock.now(), agent=agent, detail=detail
                )
            )
        metrics.EVENTS.labels(kind).inc()

    def finish(self, ticket_id: int, kind: str, agent: str | None, note: str | None) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return
            ticket.status = kind
            ticket.closed_at = now
            if note is not None:
                ticket.note = note
            session.add(TicketEvent(ticket_id=ticket_id, kind=kind, at=now, agent=agent))
        metrics.EVENTS.labels(kind).inc()

    def rate(self, ticket_id: int, rating: int) -> None:
        with self.db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is not None:
                ticket.rating = rating
