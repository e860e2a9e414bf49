"""The deployment files, rendered and read: kustomize (from the kubectl wheel in .venv-deploy),
the rendered objects by kind and name, and the tools of the offline checks."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
PRODUCTION = K8S / "overlays" / "production"
TOOLS = ROOT / ".venv-deploy" / "bin"


def tool(name: str) -> str:
    path = TOOLS / name
    if not path.exists():
        raise AssertionError(
            f"{path} is missing: `make test` installs .venv-deploy (constraints/deploy.txt)"
        )
    return str(path)


def run(argv: list[str], timeout: float = 300, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )


@cache
def render(directory: Path = PRODUCTION) -> str:
    """`kubectl kustomize` of an overlay (or the base): the YAML a cluster would receive."""
    done = run([tool("kubectl"), "kustomize", str(directory)])
    assert done.returncode == 0, done.stderr
    return done.stdout


def objects(directory: Path = PRODUCTION) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(render(directory)) if d]


def find(kind: str, name: str, directory: Path = PRODUCTION) -> dict[str, Any]:
    for obj in objects(directory):
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            return obj
    raise AssertionError(f"no {kind} {name} in the rendered manifests")


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod template's spec of a Deployment, Job or CronJob."""
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    result: dict[str, Any] = spec["template"]["spec"]
    return result
