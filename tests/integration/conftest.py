"""The real stack for integration tests: trained Rasa model, Rasa, action server, gateway,
Redis (REDIS_URL or embedded) and SQL (DATABASE_URL or SQLite), as real processes.

The session-scoped `stack` and `fake_telegram` fixtures and the `Citizen` helper live in
tests/conftest.py, shared with tests/console/ (one stack per test session)."""

from tests.conftest import API_KEY, Citizen

__all__ = ["API_KEY", "Citizen"]
