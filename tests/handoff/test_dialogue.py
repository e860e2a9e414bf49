"""The gateway's own exchanges around a handoff, through the real router with Rasa not
running (the router then opens tickets itself when the citizen asks for a person)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from bot.agents.desk import AgentDesk
from bot.conversation.router import ConversationRouter
from bot.handoff.dialogue import HandoffDialogue, mask_phone
from bot.handoff.office_hours import OfficeHours
from bot.handoff.queue import HandoffQueue
from bot.handoff.settings import HandoffSettings
from bot.messages import IncomingMessage, Reply
from bot.rasa.client import RasaClient
from bot.storage.db import Database
from bot.storage.models import Ticket
from bot.storage.sessions import SessionStore
from bot.storage.transcript import Transcript
from tests.conftest import free_port
from tests.storage.conftest import FakeClock


class World:
    def __init__(self, redis: Redis, db: Database, clock: FakeClock, settings: HandoffSettings):
        self.sessions = SessionStore(redis, "en")
        self.queue = HandoffQueue(redis, db, clock, 120, settings)
        self.desk = AgentDesk(redis, self.queue, self.sessions, Transcript(db), clock)
        rasa = RasaClient(f"http://127.0.0.1:{free_port()}", 2.0)  # nothing listens there
        self.router = ConversationRouter(
            redis, self.sessions, Transcript(db), rasa, self.queue, 4000,
            dialogue=HandoffDialogue(self.queue, settings, clock),
        )  # fmt: skip
        self.db = db

    async def say(self, who: str, text: str, payload: str | None = None) -> Reply:
        return await self.router.handle(f"rest:{who}", IncomingMessage(text, payload=payload))

    def ticket(self, ticket_id: int) -> Ticket:
        with self.db.session() as s:
            row = s.get(Ticket, ticket_id)
            assert row is not None
            return row


def closed_now() -> HandoffSettings:
    # the clock says Monday 09:00 UTC: open only on Saturday mornings
    return HandoffSettings(office_hours=OfficeHours.parse("sat 09:00-12:00"))


async def test_out_of_hours_offers_a_message_which_becomes_a_ticket(
    redis: Redis, db: Database, clock: FakeClock
) -> None:
    world, who = World(redis, db, clock, closed_now()), uuid.uuid4().hex[:8]
    reply = await world.say(who, "human")
    offer = reply.messages[-1]
    assert "not available right now" in offer.text and "Sat" in offer.text
    assert [b.payload for b in offer.buttons] == ["/leave_message", "/book_callback"]
    assert reply.state.mode == "bot" and await world.queue.waiting() == []
    reply = await world.say(who, "leave a message")  # typed: the choice's own words
    assert "write your message" in reply.messages[0].text
    reply = await world.say(who, "My bin was not collected on Friday.")
    assert "reference H-" in reply.messages[0].text and reply.state.mode == "bot"
    [waiting] = await world.queue.waiting()
    assert (waiting.kind, waiting.citizen_id) == ("message", f"rest:{who}")
    assert world.ticket(waiting.ticket_id).kind == "message"
    # an agent answers the message the next day: the citizen sees it on their conversation
    clock.advance(86400)
    await world.desk.claim(waiting.ticket_id, "alice")
    await world.desk.reply(waiting.ticket_id, "alice", "We will collect it today.")
    assert (await world.sessions.get(f"rest:{who}")).mode == "with_agent"
    texts = [m.text for m in await world.router.messages_after(f"rest:{who}", 0)]
    assert texts[-1] == "We will collect it today."


async def test_out_of_hours_callback_needs_a_time_in_hours_and_a_phone(
    redis: Redis, db: Database, clock: FakeClock
) -> None:
    world, who = World(redis, db, clock, closed_now()), uuid.uuid4().hex[:8]
    await world.say(who, "人工")
    reply = await world.say(who, "预约回电", payload="/book_callback")
    assert "回电" in reply.messages[0].text
    reply = await world.say(who, "tuesday 15:00")  # closed on Tuesdays
    assert "opening hours" in reply.messages[0].text or "服务时间" in reply.messages[0].text
    reply = await world.say(who, "saturday 10:30")
    assert "电话" in reply.messages[0].text or "phone" in reply.messages[0].text
    reply = await world.say(who, "call me maybe")
    assert "数字" in reply.messages[0].text or "digits" in reply.messages[0].text
    reply = await world.say(who, "+44 20 7946 0958")
    assert "H-" in reply.messages[0].text
    [waiting] = await world.queue.waiting()
    ticket = world.ticket(waiting.ticket_id)
    assert ticket.kind == "callback" and ticket.contact == "+44 20 7946 0958"
    saturday = clock.now().date() + timedelta(days=5)
    assert ticket.callback_at == datetime(
        saturday.year, saturday.month, saturday.day, 10, 30, tzinfo=UTC
    )
    assert mask_phone("+44 20 7946 0958") == "*********958"


async def test_long_wait_offers_alternatives_or_keep_waiting(
    redis: Redis, db: Database, clock: FakeClock
) -> None:
    world = World(redis, db, clock, HandoffSettings(max_wait_s=200))
    first, second, third = (uuid.uuid4().hex[:8] for _ in range(3))
    assert (await world.say(first, "human")).state.mode == "waiting_for_agent"  # 120 s
    reply = await world.say(second, "human")  # 2nd in line: 240 s > 200 s
    assert "wait for a person is long" in reply.messages[-1].text
    assert reply.messages[-1].buttons[-1].payload == "/keep_waiting"
    reply = await world.say(second, "Keep waiting", payload="/keep_waiting")
    assert reply.state.mode == "waiting_for_agent" and reply.state.queue_position == 2
    await world.say(third, "human")
    reply = await world.say(third, "cancel")  # leaves the offer
    assert reply.state.mode == "bot" and "assistant again" in reply.messages[0].text
    assert len(await world.queue.waiting()) == 2


async def test_cancel_in_chinese_and_rating_after_close(
    redis: Redis, db: Database, clock: FakeClock
) -> None:
    world = World(redis, db, clock, HandoffSettings())
    a, b = uuid.uuid4().hex[:8], uuid.uuid4().hex[:8]
    await world.say(a, "人工")
    reply = await world.say(b, "human")
    assert reply.state.queue_position == 2
    reply = await world.say(a, "取消")
    assert reply.state.mode == "bot" and "退出排队" in reply.messages[0].text
    texts = [m.text for m in await world.router.messages_after(f"rest:{b}", 0)]
    assert texts[-1].startswith("You are now number 1")  # told when it changed
    # the bot does not answer; the first message is acknowledged with the place, then silence
    [ack] = (await world.say(b, "are you there?")).messages
    assert ack.text == "I've passed this on. You are number 1 in the queue."
    assert (await world.say(b, "hello?")).messages == ()
    [ticket] = await world.queue.waiting()
    await world.desk.claim(ticket.ticket_id, "alice")
    await world.desk.close(ticket.ticket_id, "alice", "answered")
    outgoing = await world.router.messages_after(f"rest:{b}", 0)
    assert [btn.title for btn in outgoing[-1].buttons] == ["1", "2", "3", "4", "5"]
    reply = await world.say(b, "4", payload="/rate 4")
    assert reply.messages[0].text == "Thank you for your rating!"
    assert world.ticket(ticket.ticket_id).rating == 4
    assert (await world.sessions.get(f"rest:{b}")).pending is None
