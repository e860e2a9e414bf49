"""The `civic` command: up, chat, train, status, kb."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from civic.processes import http_ok
from civic.progress import StepFailed
from civic.schedule import (
    CLUSTER_FIRST_S,
    DAY_S,
    RETENTION_FIRST_S,
    PeriodicJob,
    cluster_every_s,
    describe,
)
from civic.stack import Stack
from civic.stack_config import ROOT, StackConfig, dev_secrets


def cmd_up(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        stack = Stack(StackConfig.from_env())
    except StepFailed as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1

    interrupted = False

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        """The first Ctrl-C or TERM stops the stack; later ones may not interrupt that."""
        nonlocal interrupted
        if not interrupted:
            interrupted = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.up()
        c = stack.config
        jobs = _background_jobs(stack)
        now = time.monotonic()
        env = stack.env()
        guides = env.get("CIVIC_GUIDES_DIR") or ROOT / "knowledge_base" / "guides"
        watch_s = env.get("CIVIC_KB_WATCH_S") or "10"
        watched = (
            f"the action server checks them every {watch_s} s: a saved change reloads the index"
            if float(watch_s) > 0
            else "not watched (CIVIC_KB_WATCH_S=0): `civic kb reload` applies a change"
        )
        print(
            f"\nCivic Assistant is up in {time.monotonic() - started:.1f} s\n"
            f"  gateway      {stack.gateway_url}   (API docs: {stack.gateway_url}/docs)\n"
            f"  health       {stack.gateway_url}/healthz\n"
            f"  Rasa         {stack.rasa_url}\n"
            f"  actions      http://127.0.0.1:{c.actions_port}\n"
            f"  Redis        {stack.redis_url}{'  (embedded)' if c.redis_url is None else ''}\n"
            f"  database     {c.database_url or 'sqlite:///' + str(c.var_dir / 'civic.db')}\n"
            f"  API key      {c.api_keys.split(',')[0]}\n"
            f"  logs         {c.var_dir / 'log'}\n"
            + "".join(
                f"  {job.name:<12} {describe(job, now, f'var/log/{job.name}.log')}\n"
                for job in jobs
            )
            + f"  guides       {guides} ({watched})\n\n"
            "Chat in another terminal with `.venv/bin/civic chat`. Ctrl-C stops everything.",
            flush=True,
        )
        while all(p.running for p in stack.processes.values()):
            for job in jobs:
                job.poll(time.monotonic())
            time.sleep(1)
        dead = [p for p in stack.processes.values() if not p.running]
        for process in dead:
            print(f"✗ {process.name} stopped unexpectedly; see {process.log_path}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        interrupted = True  # (also when Python raised it before on_signal was installed)
        return 0
    except StepFailed as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    finally:  # a second signal from here on only hurries the shutdown (Stack.down)
        stack.down("\nStopping ..." if interrupted else "")


def _background_jobs(stack: Stack) -> list[PeriodicJob]:
    """Retention once a day; clustering the unanswered questions every
    CIVIC_CLUSTER_EVERY_MIN minutes (civic/schedule.py)."""
    now = time.monotonic()
    jobs = [
        PeriodicJob("retention", DAY_S, now + RETENTION_FIRST_S,
                    lambda: stack.run_job("retention", ["retention", "run", "--json"])),
    ]  # fmt: skip
    every = cluster_every_s(stack.env())
    if every is not None:
        jobs.append(
            PeriodicJob("clustering", every, now + CLUSTER_FIRST_S,
                        lambda: stack.run_job("clustering", ["insights", "cluster", "--json"]))
        )  # fmt: skip
    return jobs


def cmd_train(args: argparse.Namespace) -> int:
    from civic.training import train

    try:
        train(ROOT, force=args.force)
    except StepFailed as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    return 0


def _api_key() -> str:
    keys = os.environ.get("CIVIC_API_KEYS")
    if keys:
        return keys.split(",")[0].strip()
    var_dir = Path(os.environ.get("CIVIC_VAR_DIR") or ROOT / "var")
    return dev_secrets(var_dir)["api_key"]


def _gateway_url() -> str:
    return (
        os.environ.get("CIVIC_GATEWAY_URL")
        or f"http://127.0.0.1:{os.environ.get('CIVIC_PORT', '8000')}"
    )


def cmd_chat(args: argparse.Namespace) -> int:
    from civic.chat import chat

    base = args.url or _gateway_url()
    if not http_ok(base + "/healthz"):
        print(
            f"✗ no gateway answers at {base}: start it with `make run` (or `civic up`)",
            file=sys.stderr,
        )
        return 1
    return chat(base, _api_key(), args.conversation, args.lang)


def cmd_status(args: argparse.Namespace) -> int:
    import httpx

    base = args.url or _gateway_url()
    try:
        data = httpx.get(base + "/healthz", timeout=5).json()
    except (httpx.HTTPError, ValueError):
        print(
            json.dumps({"status": "down", "gateway": base})
            if args.json
            else f"gateway {base}: down"
        )
        return 1
    if args.json:
        print(json.dumps(data))
    else:
        print(f"gateway {base}: {data['status']}")
        for name, state in data["checks"].items():
            print(f"  {name:10} {state}")
    return 0 if data["status"] == "ok" else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civic", description="Civic Assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "up", help="start Redis (if embedded), Rasa, actions and the gateway"
    ).set_defaults(func=cmd_up)
    train = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true", help="train even if the model is up to date")
    train.set_defaults(func=cmd_train)
    chat = sub.add_parser("chat", help="chat with the running assistant in the terminal")
    chat.add_argument("--url", help="gateway URL (default http://127.0.0.1:$CIVIC_PORT)")
    chat.add_argument("--conversation", help="conversation id to use or resume")
    chat.add_argument("--lang", choices=["en", "zh"], help="force a language")
    chat.set_defaults(func=cmd_chat)
    status = sub.add_parser("status", help="health of the running assistant")
    status.add_argument("--url")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    bench_cmd = sub.add_parser(
        "bench", help="load benchmark: gateway vs Rasa direct, memory, start-up"
    )
    from bench.load_bench import add_bench_arguments, run_bench

    add_bench_arguments(bench_cmd)
    bench_cmd.set_defaults(func=run_bench)
    from civic.agent_cli import add_agent_commands
    from civic.db_cli import add_db_commands
    from civic.department_cli import add_department_commands
    from civic.insights_cli import add_insights_commands
    from civic.kb_cli import add_kb_commands
    from civic.retention_cli import add_retention_commands

    add_kb_commands(sub)
    add_agent_commands(sub)
    add_retention_commands(sub)
    add_department_commands(sub)
    add_insights_commands(sub)
    add_db_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
