from redis.asyncio import Redis

from bot.storage import keys
from bot.storage.sessions import SessionStore


async def test_new_citizen_gets_defaults(redis: Redis, citizen: str) -> None:
    store = SessionStore(redis, "zh")
    session = await store.get(citizen)
    assert (session.lang, session.simple_mode, session.mode, session.ticket_id) == (
        "zh",
        False,
        "bot",
        None,
    )


async def test_session_round_trip(redis: Redis, citizen: str) -> None:
    store = SessionStore(redis, "en")
    session = (await store.get(citizen)).but(
        lang="zh", simple_mode=True, mode="waiting_for_agent", ticket_id=7
    )
    await store.save(session)
    again = await SessionStore(redis, "en").get(citizen)
    assert again == session


async def test_unknown_fields_from_older_versions_are_ignored(redis: Redis, citizen: str) -> None:
    await redis.set(keys.session(citizen), '{"lang": "zh", "removed_field": 1}')
    assert (await SessionStore(redis, "en").get(citizen)).lang == "zh"


async def test_identity_resolves_to_itself_until_linked(redis: Redis, citizen: str) -> None:
    store = SessionStore(redis, "en")
    assert await store.resolve(f"telegram:{citizen}") == f"telegram:{citizen}"
    await redis.set(keys.identity(f"telegram:{citizen}"), citizen)
    assert await store.resolve(f"telegram:{citizen}") == citizen
