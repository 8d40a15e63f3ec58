"""The Kubernetes manifests agree with the code they deploy.

No cluster needed: deploy/k8s is parsed. The ConfigMap must hold real settings, the
probes must hit /healthz on the port those settings make the worker listen on, the
Service must reach that port, and every container must say what resources it needs.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import yaml

from newswatch.cli import build_parser
from newswatch.settings import Settings
from tests.helpers.paths import REPO_ROOT

K8S_DIR = REPO_ROOT / "deploy" / "k8s"
SETTINGS_PREFIX = "NEWSWATCH_"
HEALTH_PATH = "/healthz"
PROBES = ("livenessProbe", "readinessProbe")

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def manifests() -> dict[tuple[str, str], Manifest]:
    """(kind, name) -> manifest, from every YAML document in deploy/k8s."""
    found: dict[tuple[str, str], Manifest] = {}
    for path in sorted(K8S_DIR.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                key = (document["kind"], document.get("metadata", {}).get("name", path.name))
                assert key not in found, f"{key} defined twice"
                found[key] = document
    return found


def _one(manifests: dict[tuple[str, str], Manifest], kind: str) -> Manifest:
    matches = [manifest for (found_kind, _), manifest in manifests.items() if found_kind == kind]
    assert len(matches) == 1, f"expected one {kind} in deploy/k8s, found {len(matches)}"
    return matches[0]


def _container(deployment: Manifest) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one tagger container per pod"
    return dict(containers[0])


def _container_port(container: dict[str, Any], port: int | str) -> int:
    """The container port a probe or Service names, by name or number."""
    for declared in container.get("ports", []):
        if port in (declared.get("name"), declared["containerPort"]):
            return int(declared["containerPort"])
    pytest.fail(f"port {port!r} is not declared by container {container['name']}")


def _settings(manifests: dict[tuple[str, str], Manifest], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The Settings the worker builds from the ConfigMap it gets as environment."""
    container = _container(_one(manifests, "Deployment"))
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        name = source["configMapRef"]["name"]
        assert ("ConfigMap", name) in manifests, f"envFrom names a missing ConfigMap {name}"
        env |= {key: str(value) for key, value in manifests[("ConfigMap", name)]["data"].items()}
    env |= {item["name"]: str(item["value"]) for item in container.get("env", []) if "value" in item}
    for name in list(os.environ):
        if name.startswith(SETTINGS_PREFIX):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_kustomization_lists_every_manifest(manifests: dict[tuple[str, str], Manifest]) -> None:
    kustomization = _one(manifests, "Kustomization")
    listed = set(kustomization["resources"])
    present = {path.name for path in K8S_DIR.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present, f"listed {sorted(listed)}, present {sorted(present)}"


def test_everything_lives_in_the_declared_namespace(manifests: dict[tuple[str, str], Manifest]) -> None:
    namespace = _one(manifests, "Namespace")["metadata"]["name"]
    assert _one(manifests, "Kustomization")["namespace"] == namespace
    for (kind, name), manifest in manifests.items():
        if kind not in {"Namespace", "Kustomization"}:
            assert manifest["metadata"].get("namespace") == namespace, f"{kind}/{name}"


def test_configmap_holds_only_settings(manifests: dict[tuple[str, str], Manifest]) -> None:
    known = {SETTINGS_PREFIX + field.upper() for field in Settings.model_fields}
    data = _one(manifests, "ConfigMap")["data"]
    unknown = sorted(set(data) - known)
    assert not unknown, f"not fields of Settings (the worker would ignore them): {unknown}"
    assert all(isinstance(value, str) for value in data.values()), "ConfigMap values must be strings"


def test_worker_runs_an_existing_cli_command(manifests: dict[tuple[str, str], Manifest]) -> None:
    arguments = [str(word) for word in _container(_one(manifests, "Deployment"))["args"]]
    parsed = build_parser().parse_args(arguments)
    assert parsed.command == "worker"


def test_probes_hit_healthz_on_the_metrics_port(
    manifests: dict[tuple[str, str], Manifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(manifests, monkeypatch)
    assert settings.metrics_host == "0.0.0.0", "bound to loopback, probes and Prometheus cannot reach it"
    container = _container(_one(manifests, "Deployment"))
    probes = [name for name in (*PROBES, "startupProbe") if name in container]
    assert set(PROBES) <= set(probes), f"{PROBES} are required"
    for probe_name in probes:
        probe = container[probe_name]["httpGet"]
        assert probe["path"] == HEALTH_PATH, f"{probe_name} must GET {HEALTH_PATH}"
        assert _container_port(container, probe["port"]) == settings.metrics_port, probe_name


def test_resources_are_requested_and_limited(manifests: dict[tuple[str, str], Manifest]) -> None:
    resources = _container(_one(manifests, "Deployment"))["resources"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"set {kind} for cpu and memory"


def test_pods_run_unprivileged(manifests: dict[tuple[str, str], Manifest]) -> None:
    pod = _one(manifests, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    container = _container(_one(manifests, "Deployment"))
    if container.get("securityContext", {}).get("readOnlyRootFilesystem"):
        mounted = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
        assert "/var/lib/newswatch" in mounted, "the state dir must stay writable"


def test_service_targets_the_metrics_port_of_the_tagger_pods(
    manifests: dict[tuple[str, str], Manifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = _one(manifests, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod_labels.items(), "the Deployment does not select its own pods"
    service = _one(manifests, "Service")
    assert service["spec"]["selector"].items() <= pod_labels.items(), "the Service selects no tagger pod"
    settings = _settings(manifests, monkeypatch)
    container = _container(deployment)
    targets = [_container_port(container, port["targetPort"]) for port in service["spec"]["ports"]]
    assert settings.metrics_port in targets, f"the Service does not reach port {settings.metrics_port}"
    annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
    if "prometheus.io/port" in annotations:
        assert int(annotations["prometheus.io/port"]) == settings.metrics_port


def test_pods_get_no_api_token_nor_service_links(manifests: dict[tuple[str, str], Manifest]) -> None:
    pod = _one(manifests, "Deployment")["spec"]["template"]["spec"]
    assert pod.get("automountServiceAccountToken") is False, "the worker needs no Kubernetes API token"
    # Service links inject e.g. WEB_PORT=tcp://… for a Service named `web`.
    assert pod.get("enableServiceLinks") is False, "only NEWSWATCH_* variables belong in the environment"


@pytest.mark.parametrize("ignore_file", [".gitignore", ".dockerignore"])
def test_dotenv_is_neither_committed_nor_sent_to_docker_builds(ignore_file: str) -> None:
    # compose suggests .env for GRAFANA_ADMIN_PASSWORD.
    patterns = {line.strip() for line in (REPO_ROOT / ignore_file).read_text().splitlines()}
    assert ".env" in patterns, f"add .env to {ignore_file}"
