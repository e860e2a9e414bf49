"""make bench-dialogue: plays every conversation of the suite (tests/conversations/) through a
freshly started stack and reports the share that end as they should, per language, and what
went wrong in the others. `--json PATH` also writes the report."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from bench.dialogue import Player, load_all, report
from civic.stack import Stack
from civic.stack_config import local_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--only", help="only conversations whose name contains this")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    conversations = [c for c in load_all() if not args.only or args.only in c.name]
    api_key = "bench-" + secrets.token_urlsafe(18)
    with tempfile.TemporaryDirectory(prefix="civic-dialogue-") as var:
        config = local_config(Path(var), api_key)
        stack = Stack(config)
        try:
            stack.train(quiet=True)
            stack.up(quiet=True)
            player = Player(stack.gateway_url, api_key, stack.redis_url)
            started = time.perf_counter()
            outcomes = [player.play(c) for c in conversations]
            seconds = time.perf_counter() - started
            player.close()
        finally:
            stack.down()
    result = report(outcomes)
    turns = sum(len(c.turns) for c in conversations)
    print(f"conversation suite: {len(conversations)} conversations, {turns} turns, {seconds:.0f} s")
    for lang in ("en", "zh", "all"):
        r = result[lang]
        print(f"  {lang:>3}: {r['passed']}/{r['conversations']} end as they should ({r['share']})")
    for name, failures in result["failed"].items():
        print(f"  ✗ {name}: {failures[0]}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
