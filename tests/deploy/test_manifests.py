"""The deployment checked offline: the Kubernetes manifests as kustomize renders them
(kubernetes-validate --strict against the newest Kubernetes it knows, checkov with no failed
check and every skip explained), what the issue asks of them, and docker-compose.yml
(compose-lint), the Dockerfiles (checkov)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import (
    K8S,
    PRODUCTION,
    ROOT,
    find,
    network_allows,
    objects,
    pod_labels,
    pod_spec,
    render,
    run,
    tool,
)

WORKLOADS = ("civic-gateway", "civic-actions", "civic-rasa")
SECRET_NAMES = re.compile(r"(PASSWORD|TOKEN|SECRET|API_KEYS|DATABASE_URL|REDIS_URL)$")


def _latest_kubernetes() -> str:
    done = run(
        [tool("python"), "-c", "import kubernetes_validate.utils as u; print(u.latest_version())"]
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _validate(path: Path) -> Any:
    return run(
        [tool("kubernetes-validate"), "--strict", "--quiet", "-k", _latest_kubernetes(), str(path)]
    )


@pytest.mark.parametrize("directory", [K8S / "base", PRODUCTION], ids=["base", "production"])
def test_kubernetes_validate_strict(directory: Path, tmp_path: Path) -> None:
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(render(directory))
    done = _validate(rendered)
    assert done.returncode == 0, done.stdout + done.stderr


def test_kubernetes_validate_catches_a_wrong_field(tmp_path: Path) -> None:
    """The check above can fail: one misspelt field in the rendered gateway is rejected."""
    text = render().replace("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", 1)
    rendered = tmp_path / "wrong.yaml"
    rendered.write_text(text)
    done = _validate(rendered)
    assert done.returncode != 0
    assert "readOnlyRootFileSystem" in done.stdout + done.stderr


def _checkov(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    done = run(
        [tool("checkov"), *args, "--compact", "--skip-download", "-o", "json"],
        cwd=tmp_path,
        env={"BC_SKIP_MAPPING": "TRUE", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.stdout.strip(), done.stderr[-3000:]
    report = json.loads(done.stdout)
    reports: list[dict[str, Any]] = report if isinstance(report, list) else [report]
    return reports


def test_checkov_on_rendered_production(tmp_path: Path) -> None:
    rendered = tmp_path / "production.yaml"
    rendered.write_text(render())
    (report,) = _checkov(tmp_path, "-f", str(rendered), "--framework", "kubernetes")
    results = report["results"]
    failed = [(c["check_id"], c["resource"]) for c in results["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 400
    assert results["skipped_checks"]  # the skips below, each with its reason
    for check in results["skipped_checks"]:
        reason = (check.get("check_result") or {}).get("suppress_comment") or ""
        assert len(reason) > 40, f"{check['check_id']} on {check['resource']}: no reason given"


def test_checkov_on_dockerfiles(tmp_path: Path) -> None:
    files = ["-f", str(ROOT / "Dockerfile"), "-f", str(ROOT / "Dockerfile.rasa")]
    reports = _checkov(tmp_path, *files, "--framework", "dockerfile")
    results = [r["results"] for r in reports]
    failed = [(c["check_id"], c["file_path"]) for r in results for c in r["failed_checks"]]
    assert failed == []
    assert sum(r["summary"]["passed"] for r in reports) > 20


def test_compose_lint() -> None:
    done = run(
        [tool("compose-lint"), "check", "--fail-on", "low", "--strict-config", "--no-env",
         "--config", str(ROOT / ".compose-lint.yml"), str(ROOT / "docker-compose.yml")],
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 issues" in done.stdout


def _container(name: str, kind: str = "Deployment") -> dict[str, Any]:
    spec = pod_spec(find(kind, name))
    (container,) = spec["containers"]
    result: dict[str, Any] = container
    return result


@pytest.mark.parametrize("name", WORKLOADS)
def test_workloads_replicated_probed_limited(name: str) -> None:
    deployment = find("Deployment", name)
    assert deployment["spec"]["replicas"] >= 2
    container = _container(name)
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] in ("/healthz", "/health", "/")
    for key in ("requests", "limits"):
        assert set(container["resources"][key]) == {"cpu", "memory"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod_spec(deployment)["securityContext"]["runAsNonRoot"] is True
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert find("PodDisruptionBudget", name)["spec"]["selector"]["matchLabels"] == selector
    hpa = find("HorizontalPodAutoscaler", name)
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["scaleTargetRef"]["name"] == name
    assert find("Service", name)["spec"]["selector"] == selector


def test_no_secret_in_the_repository() -> None:
    """Secrets only by reference: no Secret object, no literal value of a secret's name."""
    assert not [o for o in objects() if o["kind"] == "Secret"]
    for obj in objects():
        if obj["kind"] not in ("Deployment", "Job", "CronJob"):
            continue
        for container in pod_spec(obj)["containers"]:
            for env in container.get("env", []):
                if SECRET_NAMES.search(env["name"]):
                    assert "secretKeyRef" in env.get("valueFrom", {}), env
    config = find("ConfigMap", "civic-config")["data"]
    assert not [k for k in config if SECRET_NAMES.search(k)]


def test_gateways_wait_migrations_job_migrates() -> None:
    job = _container("civic-migrate", "Job")
    assert job["command"][-2:] == ["db", "upgrade"]
    retention = _container("civic-retention", "CronJob")
    assert retention["command"][3:5] == ["retention", "run"]
    mounts = {m["mountPath"] for m in retention["volumeMounts"]}
    assert "/app/var/uploads" in mounts  # it deletes old uploads too


def test_clustering_is_a_scheduled_job_where_the_models_are() -> None:
    """`civic insights cluster` runs hourly in its own pod (the models load there, not in the
    gateway), reads the guides, reaches PostgreSQL through the data-stores policy."""
    cronjob = find("CronJob", "civic-insights-cluster")
    assert cronjob["spec"]["schedule"].split()[1:] == ["*", "*", "*", "*"]  # every hour
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    container = _container("civic-insights-cluster", "CronJob")
    assert container["command"][3:5] == ["insights", "cluster"]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    config = find("ConfigMap", "civic-config")["data"]
    assert mounts[config["CIVIC_GUIDES_DIR"]]["readOnly"] is True
    assert config["CIVIC_INDEX_DIR"].startswith("/app/var/") and "/app/var" in mounts
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    labels = cronjob["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    stores = find("NetworkPolicy", "civic-data-stores")["spec"]["podSelector"]
    (expression,) = stores["matchExpressions"]
    assert labels["app.kubernetes.io/component"] in expression["values"]


def test_guides_and_uploads_on_shared_volumes() -> None:
    config = find("ConfigMap", "civic-config")["data"]
    for name in ("civic-actions", "civic-gateway"):
        mounts = {m["mountPath"]: m for m in _container(name)["volumeMounts"]}
        assert mounts[config["CIVIC_GUIDES_DIR"]]["readOnly"] is True
    claims = {o["metadata"]["name"]: o for o in objects() if o["kind"] == "PersistentVolumeClaim"}
    assert claims["civic-guides"]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claims["civic-uploads"]["spec"]["accessModes"] == ["ReadWriteMany"]


def test_ingress_websocket_and_telegram_webhook() -> None:
    ingress = find("Ingress", "civic-gateway")
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    paths = {p["path"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert {"/ws/chat", "/telegram/webhook", "/api/", "/chat", "/console"} <= paths
    assert "/metrics" not in paths and "/" not in paths
    assert ingress["spec"]["tls"]


def _policy(name: str) -> dict[str, Any]:
    return find("NetworkPolicy", name)["spec"]


def _pods(name: str) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": {"app.kubernetes.io/name": name}}}


def test_network_policies() -> None:
    deny = _policy("civic-default-deny")
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    gateway = _policy("civic-gateway")
    by_port: dict[int, list[dict[str, Any]]] = {}
    for rule in gateway["ingress"]:
        for port in rule["ports"]:
            by_port.setdefault(port["port"], []).extend(rule["from"])
    metrics = by_port[9100]  # only the monitoring namespace reaches the metrics port
    assert metrics == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    ]
    assert all("monitoring" not in json.dumps(peer) for peer in by_port[8000])
    # Rasa and the action servers: reached only from the gateway and Rasa respectively
    (rasa_in,) = _policy("civic-rasa")["ingress"]
    assert rasa_in["from"] == [_pods("civic-gateway")]
    actions_in = _policy("civic-actions")["ingress"]
    assert [rule["from"] for rule in actions_in] == [
        [_pods("civic-rasa")],
        [_pods("civic-kb-reload")],  # `civic kb reload`, see below
    ]
    # egress to public HTTPS only, never to private ranges or the metadata address
    (public,) = [r for r in gateway["egress"] if "ipBlock" in r["to"][0]]
    assert "169.254.0.0/16" in public["to"][0]["ipBlock"]["except"]
    assert [p["port"] for p in public["ports"]] == [443]
    stores = _policy("civic-data-stores")["egress"]
    assert {p["port"] for r in stores for p in r["ports"]} == {6380, 5432}  # managed, TLS Redis


OURS = {"kubernetes.io/metadata.name": "civic"}
KUBE_DNS = ({"kubernetes.io/metadata.name": "kube-system"}, {"k8s-app": "kube-dns"})
PODS = {
    "gateway": ("Deployment", "civic-gateway"),
    "actions": ("Deployment", "civic-actions"),
    "rasa": ("Deployment", "civic-rasa"),
    "kb-reload": ("CronJob", "civic-kb-reload"),
    "retention": ("CronJob", "civic-retention"),
    "migrate": ("Job", "civic-migrate"),
}


def _flow(source: str, target: str, port: int) -> bool:
    """Both ends' policies allow ``source``'s pods to open ``port`` on ``target``'s pods."""
    src, dst = pod_labels(*PODS[source]), pod_labels(*PODS[target])
    return network_allows("Egress", src, (OURS, dst), port) and network_allows(
        "Ingress", dst, (OURS, src), port
    )


def test_network_flows_between_our_pods() -> None:
    """The policies evaluated on the rendered pods' labels: the flows the assistant needs
    are open, and no other one to the action servers."""
    needed = [
        ("gateway", "rasa", 5005),
        ("rasa", "actions", 5055),
        ("actions", "gateway", 8000),
        ("kb-reload", "actions", 5055),
    ]
    for source, target, port in needed:
        assert _flow(source, target, port), (source, target, port)
    for source in ("gateway", "retention", "migrate"):
        assert not _flow(source, "actions", 5055), source
    assert not _flow("kb-reload", "gateway", 8000) and not _flow("kb-reload", "rasa", 5005)
    assert not _flow("kb-reload", "actions", 8000)
    # every pod resolves names (Services, the headless one included): the DNS policy selects
    # pods by the part-of label, which kustomize puts on the pod templates too
    for kind, name in [*PODS.values(), ("Job", "civic-guides-seed")]:
        labels = pod_labels(kind, name)
        assert labels["app.kubernetes.io/part-of"] == "civic-assistant", name
        assert network_allows("Egress", labels, KUBE_DNS, 53), name


def test_kb_reload_reaches_every_action_server() -> None:
    """`civic kb reload` in the cluster: the Job's pods discover the ready action server pods
    through a headless Service (one DNS record per pod), with the service token."""
    headless = find("Service", "civic-actions-headless")["spec"]
    actions = find("Deployment", "civic-actions")
    assert headless["clusterIP"] == "None" and not headless.get("publishNotReadyAddresses")
    assert headless["selector"] == actions["spec"]["selector"]["matchLabels"]
    (port,) = headless["ports"]
    (container_port,) = _container("civic-actions")["ports"]
    assert port["targetPort"] == container_port["name"]
    config = find("ConfigMap", "civic-config")["data"]
    assert config["CIVIC_ACTIONS_DISCOVERY"] == f"civic-actions-headless:{port['port']}"
    assert float(config["CIVIC_KB_WATCH_S"]) > 0  # and each server follows the volume itself
    cron = find("CronJob", "civic-kb-reload")["spec"]
    assert cron["suspend"] is True  # run on demand: kubectl create job --from=cronjob/...
    job = _container("civic-kb-reload", "CronJob")
    assert job["command"][1:5] == ["-m", "civic.cli", "kb", "reload"]
    assert job["envFrom"] == [{"configMapRef": {"name": "civic-config"}}]
    (token,) = job["env"]
    assert token["name"] == "CIVIC_SERVICE_TOKEN" and "secretKeyRef" in token["valueFrom"]


def test_metrics_on_their_own_port() -> None:
    config = find("ConfigMap", "civic-config")["data"]
    ports = {p["name"]: p["containerPort"] for p in _container("civic-gateway")["ports"]}
    assert ports["metrics"] == int(config["CIVIC_METRICS_PORT"]) != ports["http"]


def test_compose_matches_the_manifests() -> None:
    """docker-compose.yml runs the same commands with the same hardening as the manifests."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["migrate"]["command"] == _container("civic-migrate", "Job")["command"]
    assert services["actions"]["command"] == _container("civic-actions")["command"]
    retention = _container("civic-retention", "CronJob")["command"]
    assert services["retention"]["command"][:5] == retention[:5]
    for name, service in services.items():
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
    assert services["gateway"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    for name in ("gateway", "actions", "rasa"):
        assert services[name]["deploy"]["replicas"] >= 2 or name == "gateway"
