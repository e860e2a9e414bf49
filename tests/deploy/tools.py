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


def pod_labels(kind: str, name: str) -> dict[str, str]:
    """The labels a rendered workload's pods carry."""
    obj = find(kind, name)
    spec = obj["spec"]["jobTemplate"]["spec"] if kind == "CronJob" else obj["spec"]
    labels: dict[str, str] = spec["template"]["metadata"]["labels"]
    return labels


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels, matchExpressions) applied to labels."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


Peer = tuple[dict[str, str], dict[str, str]]  # (namespace labels, pod labels)


def network_allows(direction: str, pod: dict[str, str], peer: Peer, port: int) -> bool:
    """Whether the rendered NetworkPolicies of our namespace let ``pod`` send to (direction
    "Egress") or receive from ("Ingress") ``peer`` on TCP ``port``. A pod that no policy of
    that direction selects is not isolated; peers without a namespaceSelector are in ours."""
    ours = {"kubernetes.io/metadata.name": "civic"}
    policies = [
        o["spec"] for o in objects() if o["kind"] == "NetworkPolicy"
        and selects(o["spec"]["podSelector"], pod) and direction in o["spec"]["policyTypes"]
    ]  # fmt: skip
    if not policies:
        return True
    key = "from" if direction == "Ingress" else "to"
    for policy in policies:
        for rule in policy.get(direction.lower()) or []:
            ports = rule.get("ports")
            if ports and not any(p.get("port") == port and p.get("protocol", "TCP") == "TCP"
                                 for p in ports):  # fmt: skip
                continue
            peers = rule.get(key)
            if not peers or any(_peer_matches(p, peer, ours) for p in peers):
                return True
    return False


def _peer_matches(rule: dict[str, Any], peer: Peer, ours: dict[str, str]) -> bool:
    namespace, pod = peer
    if "ipBlock" in rule:
        return False  # pod-to-pod traffic is what is asked about here
    if "namespaceSelector" in rule:
        if not selects(rule["namespaceSelector"], namespace):
            return False
    elif namespace != ours:
        return False
    return selects(rule.get("podSelector") or {}, pod)
