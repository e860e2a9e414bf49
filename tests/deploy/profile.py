"""Pods on this machine: the rendered production manifests turned into processes.

A container's command, arguments and environment are taken from the rendered Deployment,
Job or CronJob (envFrom the ConfigMap, env values, Secret references filled from a dict the
test gives, which plays the Secret the operator creates), on top of its image's ENV, and run
from the image's assembled tree. What only a cluster provides is substituted:

- ports: each container port gets a free host port (in the command, its arguments and the
  environment), and `--host 0.0.0.0` / SANIC_HOST become 127.0.0.1 (Rasa gets
  `--interface 127.0.0.1`);
- Services: `http://civic-NAME:PORT` becomes the host port of the same-numbered replica of
  NAME (replica i of the gateway talks to replica i of Rasa, which talks to replica i of the
  action server; no load balancer); a headless Service's `civic-NAME-headless:PORT`
  (CIVIC_ACTIONS_DISCOVERY) becomes every replica's `127.0.0.1:PORT`, comma-separated, as
  its name's DNS records would list every pod;
- volumes: each mount path maps to a directory: emptyDirs one per pod, a PersistentVolumeClaim
  one per claim shared by every pod that mounts it, and the rest of the image's tree read-only.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civic import ports
from civic.processes import ManagedProcess, http_ok
from tests.deploy.conftest import NO_OVERRIDE, isolation
from tests.deploy.image_tree import Image
from tests.deploy.tools import find, pod_spec

SERVICE_URL = re.compile(r"(https?://)(civic-[a-z]+):(\d+)")
# a headless Service's name: DNS answers with every ready replica's address
HEADLESS = re.compile(r"(civic-[a-z]+)-headless:(\d+)")


@dataclass
class Pod:
    name: str
    replica: int
    image: Image
    argv: list[str]
    env: dict[str, str]
    ports: dict[int, int]  # container port -> host port
    mounts: dict[str, Path]
    readiness: str | None
    log: Path
    process: ManagedProcess | None = field(default=None, init=False)

    def url(self, container_port: int, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[container_port]}{path}"

    def start(self) -> None:
        ready = self.readiness
        self.process = ManagedProcess(
            self.name, [*NO_OVERRIDE, *self.argv], self.log, self.env, self.image.cwd,
            (lambda: http_ok(ready)) if ready else (lambda: True),
        )  # fmt: skip
        self.process.start()

    def wait_ready(self, timeout_s: float = 900) -> None:
        assert self.process is not None
        self.process.wait_healthy(timeout_s)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def run(self, timeout_s: float = 600) -> subprocess.CompletedProcess[str]:
        """A Job's container: run to completion."""
        return subprocess.run(
            [*NO_OVERRIDE, *self.argv], env=self.env, cwd=self.image.cwd, capture_output=True,
            text=True, timeout=timeout_s, check=False,
        )  # fmt: skip

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Cluster:
    """Replicas of the rendered workloads, with their host ports allotted up front."""

    def __init__(self, trees: dict[str, Image], secrets: dict[str, str], workdir: Path,
                 replicas: int = 2) -> None:  # fmt: skip
        self.trees, self.secrets, self.workdir, self.replicas = trees, secrets, workdir, replicas
        self.claims: dict[str, Path] = {}
        self.host_ports: dict[tuple[str, int], dict[int, int]] = {}
        self.isolate = isolation(workdir / "isolate")
        config = find("ConfigMap", "civic-config")["data"]
        self.config: dict[str, str] = dict(config)
        for name in ("civic-gateway", "civic-actions", "civic-rasa"):
            (container,) = pod_spec(find("Deployment", name))["containers"]
            for i in range(replicas):
                self.host_ports[(name, i)] = {
                    p["containerPort"]: ports.free_port() for p in container.get("ports", [])
                }

    def _image(self, container: dict[str, Any]) -> Image:
        image = container["image"]
        return self.trees["rasa"] if "civic-rasa" in image else self.trees["app"]

    def pod(self, kind: str, name: str, replica: int = 0) -> Pod:
        obj = find(kind, name)
        spec = pod_spec(obj)
        (container,) = spec["containers"]
        image = self._image(container)
        pod_name = f"{name}-{replica}"
        host_ports = self.host_ports.get((name, replica), {})
        mounts = self._mounts(spec, container, pod_name, image)

        env = {k: self._path(v, mounts, image) for k, v in image.stage.env.items()}
        for extra in image.stage.extra_paths:  # the Rasa image's installed rasa_ext
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(image.path(extra)), env.get("PYTHONPATH")])
            )
            env["PATH"] = f"{image.path(extra + '/bin')}{os.pathsep}{env['PATH']}"
        if image is self.trees["app"]:
            env["PYTHONPATH"] = f"{self.isolate}{os.pathsep}{env['PYTHONPATH']}"
        given: dict[str, str] = {}  # what the manifest sets, over the image's ENV
        for source in container.get("envFrom", []):
            assert source["configMapRef"]["name"] == "civic-config"
            given.update(self.config)
        for item in container.get("env", []):
            if "value" in item:
                given[item["name"]] = item["value"]
            else:
                ref = item["valueFrom"]["secretKeyRef"]
                if ref["key"] in self.secrets:
                    given[item["name"]] = self.secrets[ref["key"]]
                else:
                    assert ref.get("optional"), f"the Secret lacks {ref['key']}"
        env.update(
            {k: self._substitute(v, host_ports, replica, mounts, image) for k, v in given.items()}
        )
        tmp = env.get("HOME") or str(mounts["/tmp"])
        env.update({"TMPDIR": tmp, "SANIC_HOST": "127.0.0.1"})
        if "CIVIC_HOST" in env:
            env["CIVIC_HOST"] = "127.0.0.1"

        command = container.get("command")
        args = container.get("args") or ([] if command else image.stage.cmd)
        argv = [*(command or image.stage.entrypoint), *args]
        argv = [self._substitute(a, host_ports, replica, mounts, image) for a in argv]
        if "--host" in argv:
            argv[argv.index("--host") + 1] = "127.0.0.1"
        if argv and argv[0] == "civic-rasa" and argv[1] == "run":
            argv += ["--interface", "127.0.0.1"]
        argv = _which(argv, env)

        readiness = None
        probe = container.get("readinessProbe", {}).get("httpGet")
        if probe:
            port = probe["port"]
            if isinstance(port, str):
                port = next(p["containerPort"] for p in container["ports"] if p["name"] == port)
            readiness = f"http://127.0.0.1:{host_ports[port]}{probe['path']}"
        log = self.workdir / "logs" / f"{pod_name}.log"
        return Pod(pod_name, replica, image, argv, env, host_ports, mounts, readiness, log)

    def _mounts(self, spec: dict[str, Any], container: dict[str, Any], pod_name: str,
                image: Image) -> dict[str, Path]:  # fmt: skip
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        mounts: dict[str, Path] = {}
        for mount in container.get("volumeMounts", []):
            volume = volumes[mount["name"]]
            if "persistentVolumeClaim" in volume:
                claim = volume["persistentVolumeClaim"]["claimName"]
                path = self.claims.setdefault(claim, self.workdir / "claims" / claim)
            else:
                path = self.workdir / "pods" / pod_name / mount["name"]
            path.mkdir(parents=True, exist_ok=True)
            mounts[mount["mountPath"]] = path
        mounts.setdefault("/tmp", self.workdir / "pods" / pod_name / "tmp")
        mounts["/tmp"].mkdir(parents=True, exist_ok=True)
        return mounts

    @staticmethod
    def _path(value: str, mounts: dict[str, Path], image: Image) -> str:
        """An absolute path (or a PATH-like list) inside the container, on this machine."""
        parts = value.split(os.pathsep)
        if not value.startswith("/") or not all(p.startswith("/") for p in parts):
            return value
        out = []
        for part in parts:
            for mount in sorted(mounts, key=len, reverse=True):
                if part == mount or part.startswith(mount + "/"):
                    out.append(str(mounts[mount]) + part[len(mount) :])
                    break
            else:
                inside = image.path(part)
                out.append(str(inside) if inside.exists() or part.startswith("/app") else part)
        return os.pathsep.join(out)

    def _substitute(self, value: str, host_ports: dict[int, int], replica: int,
                    mounts: dict[str, Path], image: Image) -> str:  # fmt: skip
        def service(match: re.Match[str]) -> str:
            port = int(match.group(3))
            target = self.host_ports[(match.group(2), replica % self.replicas)][port]
            return f"{match.group(1)}127.0.0.1:{target}"

        def headless(match: re.Match[str]) -> str:
            port = int(match.group(2))
            every = [self.host_ports[(match.group(1), i)][port] for i in range(self.replicas)]
            return ",".join(f"127.0.0.1:{p}" for p in every)

        value = SERVICE_URL.sub(service, value)
        if HEADLESS.fullmatch(value):
            value = HEADLESS.sub(headless, value)
        if value.isdigit() and int(value) in host_ports:
            return str(host_ports[int(value)])
        if value.startswith("/"):
            return self._path(value, mounts, image)
        if not value.startswith("/") and re.search(r"(?<![\w.-])/(app|data)/", value):
            # paths inside a shell line: one pass, the longest mount first
            table = {m: str(p) for m, p in mounts.items() if m != "/tmp"}
            table["/app"] = str(image.path("/app"))
            names = "|".join(re.escape(m) for m in sorted(table, key=len, reverse=True))
            pattern = rf"(?<![\w.-])({names})(?=[/\s\"')]|$)"
            value = re.sub(pattern, lambda m: table[m.group(1)], value)
        return value


def _which(argv: list[str], env: dict[str, str]) -> list[str]:
    import shutil

    found = shutil.which(argv[0], path=env.get("PATH"))
    assert found, f"{argv[0]} is not on the container's PATH"
    return [found, *argv[1:]]
