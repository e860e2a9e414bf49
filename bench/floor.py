"""The bare forwarder the load bench can measure beside the gateway (`civic bench --floor`):
bench/proxy_floor.py under uvicorn with the gateway's own server options, on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from civic.ports import free_port
from civic.stack import ROOT, SERVER_OPTIONS


@dataclass
class Floor:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_floor(rasa_url: str, var: Path) -> Floor:
    """bench/proxy_floor.py under uvicorn with the gateway's server options, on a free port."""
    port = free_port()
    log = (var / "proxy-floor.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.proxy_floor:app", "--host", "127.0.0.1",
         "--port", str(port), *SERVER_OPTIONS],
        cwd=ROOT, env={**os.environ, "RASA_URL": rasa_url}, stdout=log, stderr=log,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return Floor(f"http://127.0.0.1:{port}", process)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the bare forwarder (bench/proxy_floor.py) did not start")
