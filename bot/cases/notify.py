"""Telling citizens about their cases: each status change becomes a message in the citizen's
transcript, in their language (and plain words in simplified mode), from the form's template,
and is announced on their outbox, so every linked channel gets it (Telegram, the web widget,
REST push; bot/delivery/outbox.py).

A change made while the office is closed waits for the next opening unless it was marked
urgent (the store sets `due_at`). Every gateway replica sweeps the due notifications; a lease
per notification (an UPDATE that only one replica wins) sends each one once, and the message
is written in the same transaction that marks the notification sent. When several changes of
one case are due together, only the newest is told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy import or_, select, update

from bot.cases.models import CaseNotification, CaseRecord
from bot.cases.store import CaseStore
from bot.cases.texts import rating_buttons, say
from bot.errors import Conflict
from bot.messages import Button, OutgoingMessage
from bot.storage import keys
from bot.storage.models import TranscriptMessage
from bot.storage.sessions import Session, SessionStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    id: int
    case_id: int
    reference: str
    citizen_id: str
    form: str
    status: str
    note: str | None
    case_lang: str
    final: bool
    rating_asked: bool
    superseded: bool
    waits: bool  # the status waits for the citizen: their next message goes to the case


def messages_for(store: CaseStore, due: Due, lang: str, simple: bool) -> list[OutgoingMessage]:
    """The notification of one status change, and the rating question after a final one."""
    workflow = store.workflow(due.form)
    values = {
        "reference": due.reference,
        "title": workflow.title.get(lang) or workflow.title["en"],
        "status": workflow.label(due.status, lang),
        "note": due.note or "",
    }
    template = workflow.notify.get(due.status)
    if template is not None:
        text = template.render(lang, simple, values)
    else:
        text = say("status_changed", lang, **values)
    if due.note:
        text += "\n" + say("note", lang, note=due.note)
    custom = {"case": {"reference": due.reference, "status": due.status}}
    out = [OutgoingMessage(text=text, sender="system", custom=custom)]
    if due.final and not due.rating_asked:
        out.append(
            OutgoingMessage(
                text=say("rate", lang, reference=due.reference),
                sender="system",
                buttons=rating_buttons(due.reference, lang),
            )
        )
    return out


class CaseNotifier:
    def __init__(
        self, store: CaseStore, redis: Redis, sessions: SessionStore, lease_s: float = 60
    ) -> None:
        self.store = store
        self.redis = redis
        self.sessions = sessions
        self.lease_s = lease_s

    async def sweep(self, limit: int = 50) -> int:
        """Send the notifications that are due; how many were sent."""
        sent = 0
        for due in await asyncio.to_thread(self._lease_due, limit):
            try:
                if await self._send(due):
                    sent += 1
            except Exception:  # one citizen's failure must not stop the others
                log.exception("case notification %s failed; retried after its lease", due.id)
        return sent

    def _lease_due(self, limit: int) -> list[Due]:
        now = self.store.clock.now()
        db = self.store.db
        with db.session() as session:
            ids = session.scalars(
                select(CaseNotification.id)
                .where(
                    CaseNotification.sent_at.is_(None),
                    CaseNotification.due_at <= now,
                    or_(CaseNotification.lease_until.is_(None), CaseNotification.lease_until < now),
                )
                .order_by(CaseNotification.id)
                .limit(limit)
            ).all()
        leased: list[Due] = []
        for notification_id in ids:
            with db.session() as session:
                won = session.execute(
                    update(CaseNotification)
                    .where(
                        CaseNotification.id == notification_id,
                        CaseNotification.sent_at.is_(None),
                        or_(
                            CaseNotification.lease_until.is_(None),
                            CaseNotification.lease_until < now,
                        ),
                    )
                    .values(lease_until=now + timedelta(seconds=self.lease_s))
                    .execution_options(synchronize_session=False)
                )
                if won.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                row = session.get(CaseNotification, notification_id)
                case = session.get(CaseRecord, row.case_id) if row is not None else None
                if row is None or case is None:
                    continue
                newer = session.scalar(
                    select(CaseNotification.id).where(
                        CaseNotification.case_id == row.case_id,
                        CaseNotification.sent_at.is_(None),
                        CaseNotification.id > row.id,
                    )
                )
                workflow = self.store.workflow(case.form)
                leased.append(
                    Due(
                        id=row.id, case_id=case.id, reference=case.reference,
                        citizen_id=case.citizen_id, form=case.form, status=row.status,
                        note=row.note, case_lang=case.lang,
                        final=workflow.status(row.status).final, rating_asked=case.rating_asked,
                        superseded=newer is not None, waits=workflow.waits(row.status),
                    )
                )  # fmt: skip
        return leased

    async def _send(self, due: Due) -> bool:
        if due.superseded:  # a newer change of the same case will be told instead
            with contextlib.suppress(_AlreadySent):
                await asyncio.to_thread(self._mark_sent, due, [], ask_rating=False)
            return False
        citizen = due.citizen_id
        lock = self.redis.lock(keys.conversation_lock(citizen), timeout=120, blocking_timeout=60)
        async with lock:
            raw = await self.redis.get(keys.session(citizen))
            session = self.sessions.decode(citizen, raw)
            if raw is None:
                session = session.but(lang=due.case_lang)
            messages = messages_for(self.store, due, session.lang, session.simple_mode)
            try:
                stored = await asyncio.to_thread(
                    self._mark_sent, due, messages, ask_rating=len(messages) > 1,
                    channel=session.channel,
                )  # fmt: skip
            except _AlreadySent:
                return False
            await self.sessions.save(self._after(session, due, messages))
        if stored:
            await self.redis.publish(keys.outbox_channel(citizen), str(stored[-1]))
        return True

    @staticmethod
    def _after(session: Session, due: Due, messages: list[OutgoingMessage]) -> Session:
        waiting = tuple(r for r in session.awaiting_cases if r != due.reference)
        if due.waits:
            waiting = (*waiting, due.reference)
        buttons: tuple[Button, ...] = messages[-1].buttons if messages else ()
        changes: dict[str, object] = {"awaiting_cases": waiting}
        if buttons:  # a typed number chooses one of these (as after any turn)
            changes.update(choices=tuple(b.payload for b in buttons), more=())
        return session.but(**changes)

    def _mark_sent(
        self,
        due: Due,
        messages: list[OutgoingMessage],
        *,
        ask_rating: bool,
        channel: str = "rest",
    ) -> list[int]:
        """Write the messages and mark the notification sent, in one transaction."""
        now = self.store.clock.now()
        with self.store.db.session() as session:
            rows = [
                TranscriptMessage(
                    citizen_id=due.citizen_id, channel=channel, sender=m.sender, text=m.text,
                    buttons={"items": [{"title": b.title, "payload": b.payload}
                                       for b in m.buttons]} if m.buttons else None,
                    custom=dict(m.custom) if m.custom else None, ticket_id=None,
                    created_at=m.created_at,
                )
                for m in messages
            ]  # fmt: skip
            session.add_all(rows)
            row = session.get(CaseNotification, due.id)
            if row is None or row.sent_at is not None:
                raise _AlreadySent()
            session.flush()
            row.sent_at = now
            row.message_id = rows[-1].id if rows else None
            if ask_rating:
                case = session.get(CaseRecord, due.case_id)
                if case is not None:
                    case.rating_asked = True
            return [r.id for r in rows]


class _AlreadySent(Conflict):
    """Another replica sent it after our lease ran out: roll back our copy."""
