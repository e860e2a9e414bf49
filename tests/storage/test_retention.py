from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.storage.db import Database
from bot.storage.models import Ticket, TicketEvent, TranscriptMessage
from bot.storage.retention import run_retention

NOW = datetime(2027, 6, 1, tzinfo=UTC)


def add_conversation(db: Database, citizen: str, age_days: int, status: str | None) -> None:
    at = NOW - timedelta(days=age_days)
    with db.session() as session:
        session.add(
            TranscriptMessage(
                citizen_id=citizen, channel="rest", sender="citizen", text="hello", created_at=at
            )
        )
        if status is not None:
            ticket = Ticket(
                citizen_id=citizen,
                status=status,
                reason="requested",
                lang="en",
                simple_mode=False,
                priority=0,
                created_at=at,
                closed_at=at if status != "waiting" else None,
            )
            session.add(ticket)
            session.flush()
            session.add(TicketEvent(ticket_id=ticket.id, kind="requested", at=at))


def count(db: Database, model: type, citizen_prefix: str) -> int:
    column = model.citizen_id  # type: ignore[attr-defined]
    with db.session() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(model).where(column.startswith(citizen_prefix))
            )
            or 0
        )


def test_retention_deletes_only_what_is_old_and_closed(db: Database, citizen: str) -> None:
    add_conversation(db, citizen + ":old-closed", 400, "closed")
    add_conversation(db, citizen + ":old-open", 400, "waiting")
    add_conversation(db, citizen + ":recent", 10, "closed")
    add_conversation(db, citizen + ":old-no-ticket", 500, None)

    dry = run_retention(db, NOW, days=365, dry_run=True)
    assert dry.messages >= 2 and dry.tickets >= 1
    assert count(db, TranscriptMessage, citizen) == 4  # a dry run deletes nothing

    run_retention(db, NOW, days=365)
    with db.session() as session:
        left = set(
            session.scalars(
                select(TranscriptMessage.citizen_id).where(
                    TranscriptMessage.citizen_id.startswith(citizen)
                )
            )
        )
        tickets = set(
            session.scalars(select(Ticket.citizen_id).where(Ticket.citizen_id.startswith(citizen)))
        )
    assert left == {citizen + ":old-open", citizen + ":recent"}
    assert tickets == {citizen + ":old-open", citizen + ":recent"}


def test_question_labels_go_with_their_message(db: Database, citizen: str) -> None:
    from bot.storage.models import OutcomeEvent, QuestionLabel
    from insights.question_labels import labelled_questions, set_label

    ids = {}
    for name, age in (("old", 400), ("recent", 10)):
        at = NOW - timedelta(days=age)
        with db.session() as session:
            message = TranscriptMessage(citizen_id=f"{citizen}:{name}", channel="rest",
                                        sender="citizen", text=f"{name} {citizen}?",
                                        created_at=at)  # fmt: skip
            session.add(message)
            session.flush()
            ids[name] = message.id
            session.add(OutcomeEvent(at=at, subject="s", kind="declined", channel="rest",
                                     lang="en", message_id=message.id))  # fmt: skip
        assert set_label(db, f"{citizen}:{name}", ids[name], None, None, "ana", at) is not None
    run_retention(db, NOW, days=365)
    with db.session() as session:
        kept = set(session.scalars(select(QuestionLabel.message_id)))
    assert ids["recent"] in kept and ids["old"] not in kept
    texts = {q.text for q in labelled_questions(db)}
    assert f"recent {citizen}?" in texts and f"old {citizen}?" not in texts
