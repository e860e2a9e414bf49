"""The SQL database: engine, sessions and schema migrations (Alembic)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import Busy, StoreUnavailable, Unavailable

log = logging.getLogger(__name__)

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6  # primary result codes


class SchemaNotReady(Unavailable):
    """The database schema is not (yet) the one this code expects (`civic db upgrade`)."""


@dataclass(frozen=True)
class SchemaState:
    current: frozenset[str]
    expected: frozenset[str]
    newer: bool  # a revision this code does not know: a later release migrated

    @property
    def ready(self) -> bool:
        return self.current == self.expected or self.newer


class WouldWait(Busy):
    """A write that would have to wait (for SQLite's write lock): do it where waiting is fine."""


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL mode and a busy timeout for concurrent gateways.

    SQLite runs with synchronous=NORMAL, SQLite's recommended setting for WAL mode: every commit
    survives a crash or kill of any process (the fault tests kill them mid-conversation); only
    a power cut or OS crash can lose the last commits. FULL put an fsync (0.2-2 ms on this
    machine, measured) into every citizen turn. Deployments that need power-cut durability use
    PostgreSQL, as the README says for production anyway."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            _sqlite_setup(dbapi_connection, busy_timeout_ms=30000)

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Owns the engine and hands out transactional sessions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._now: Any = None  # dbapi_now()'s connection
        database = self.engine.url.database
        self.sqlite_file = url.startswith("sqlite") and database not in (None, "", ":memory:")

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"database error: {type(exc).__name__}") from exc

    @contextmanager
    def dbapi(self) -> Iterator[Any]:
        """A pooled DBAPI connection in a transaction (committed at the end, rolled back on
        error): for the one statement on every citizen turn, where even Core's execution
        machinery is measurable. Its SQL must be written for `self.engine.dialect`."""
        errors = (SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error)
        try:
            connection = self.engine.raw_connection()
        except errors as exc:
            raise StoreUnavailable(f"database error: {type(exc).__name__}") from exc
        try:
            yield connection
            connection.commit()
        except errors as exc:
            _rollback(connection)
            raise StoreUnavailable(f"database error: {type(exc).__name__}") from exc
        except BaseException:
            _rollback(connection)
            raise
        finally:
            connection.close()  # back to the pool (which invalidates a broken one)

    @contextmanager
    def dbapi_now(self) -> Iterator[Any]:
        """SQLite only: a DBAPI connection in a transaction that never waits for the write lock,
        for a write short enough to run on the event loop (no thread hand-off: about 0.2 ms
        less per turn). Another writer's lock raises WouldWait at once: do it with dbapi() in a
        worker thread instead. One connection, for the event loop's thread only."""
        if self._now is None:
            if not self.sqlite_file:
                raise WouldWait("only writes to an SQLite file run on the event loop")
            dialect = self.engine.dialect
            cargs, cparams = dialect.create_connect_args(self.engine.url)
            self._now = _sqlite_setup(dialect.connect(*cargs, **cparams), busy_timeout_ms=0)
        try:
            yield self._now
            self._now.commit()
        except self.engine.dialect.loaded_dbapi.Error as exc:
            _rollback(self._now)
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
                raise WouldWait("the SQLite write lock is taken") from exc
            raise StoreUnavailable(f"database error: {type(exc).__name__}") from exc
        except BaseException:
            _rollback(self._now)
            raise

    def migrate(self) -> None:
        """Bring the schema to the newest migrations (idempotent; every branch head)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection_url"] = self.url
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")

    def expected_schema(self) -> frozenset[str]:
        """The migration heads this code was written for."""
        from alembic.script import ScriptDirectory

        return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())

    def schema_state(self) -> SchemaState:
        """Where the database's schema stands against this code's migrations."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory(str(MIGRATIONS))
        with self.engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
        expected = frozenset(script.get_heads())
        known = {revision.revision for revision in script.walk_revisions()}
        return SchemaState(current, expected, newer=bool(current - known))

    def wait_for_schema(
        self, timeout_s: float, poll_s: float = 2.0, say_every_s: float = 10.0
    ) -> None:
        """Wait until the migrations (`civic db upgrade`, the migrations Job) have brought the
        schema this code expects, saying so in the log; a gateway never migrates itself, so
        replicas never race on the schema. A schema newer than this code (a later release
        migrated first, in a rolling upgrade) is accepted: migrations keep the previous release
        working. Raises SchemaNotReady after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        said = 0.0
        while True:
            try:
                state = self.schema_state()
            except SQLAlchemyError as exc:
                state = None
                problem = f"the database is not reachable ({type(exc).__name__})"
            if state is not None:
                if state.ready:
                    if state.newer:
                        log.warning(
                            "database schema %s is newer than this release's %s: going on",
                            sorted(state.current), sorted(state.expected),
                        )  # fmt: skip
                    return
                problem = (
                    f"the database schema is at {', '.join(sorted(state.current)) or 'nothing'}"
                )
            wanted = ", ".join(sorted(self.expected_schema()))
            if time.monotonic() >= deadline:
                raise SchemaNotReady(
                    f"{problem}; this release needs schema {wanted}: run the migrations "
                    "(`civic db upgrade`, or the civic-migrate Job)"
                )
            if time.monotonic() - said >= say_every_s:
                log.warning(
                    "waiting for the database schema %s: %s; run the migrations "
                    "(`civic db upgrade`, or the civic-migrate Job)", wanted, problem,
                )  # fmt: skip
                said = time.monotonic()
            time.sleep(poll_s)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def dispose(self) -> None:
        if self._now is not None:
            self._now.close()
            self._now = None
        self.engine.dispose()


def _sqlite_setup(connection: Any, busy_timeout_ms: int) -> Any:
    """Every SQLite connection's settings (see make_engine); the busy timeout is the caller's."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.close()
    return connection


def _rollback(connection: Any) -> None:
    try:
        connection.rollback()
    except Exception as exc:  # a broken connection: the pool replaces it; the first error counts
        log.debug("rollback failed: %s", type(exc).__name__)
