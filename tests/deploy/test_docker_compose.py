"""The Docker deployment agrees with the code it deploys.

Docker is not needed: docker-compose.yml, the Dockerfile and the Prometheus config are
parsed and checked against `Settings` and the real CLI parser, so a renamed setting, a
removed subcommand or a moved port fails here instead of in a user's `docker compose up`.
Prometheus must load the rules it is given, and Grafana must find its datasource and the
dashboard in the folders compose mounts.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from newswatch.cli import build_parser
from newswatch.settings import Settings
from tests.helpers.paths import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
PROMETHEUS_CONFIG = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
PROMETHEUS_CONFIG_IN_CONTAINER = "/etc/prometheus/prometheus.yml"
GRAFANA_PROVISIONING_IN_CONTAINER = "/etc/grafana/provisioning"
GRAFANA_DASHBOARD = REPO_ROOT / "deploy" / "grafana" / "dashboards" / "newswatch.json"

EXPECTED_SERVICES = {"kafka", "topics", "tagger", "replayer", "prometheus", "grafana"}
NEWSWATCH_SERVICES = {"topics", "tagger", "replayer"}
DEPENDENCY_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SETTINGS_PREFIX = "NEWSWATCH_"
# `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`, `${NAME?message}`
COMPOSE_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")

Service = dict[str, Any]
Stages = list[list[tuple[str, str]]]  # (KEYWORD, arguments) per `FROM` stage


@pytest.fixture(scope="module")
def services() -> dict[str, Service]:
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    return dict(compose["services"])


@pytest.fixture(scope="module")
def compose_volumes() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE_FILE.read_text()).get("volumes") or {})


@pytest.fixture(scope="module")
def dockerfile_stages() -> Stages:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: Stages = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        assert stages, f"{DOCKERFILE.name}: {keyword} before the first FROM"
        stages[-1].append((keyword.upper(), arguments.strip()))
    return stages


def _interpolate(value: object) -> str | None:
    """The value compose uses when no variable is set; None when the user must set one."""
    needs_user = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal needs_user
        if (match["op"] or "").endswith("-"):
            return match["arg"]
        needs_user = True
        return ""

    resolved = COMPOSE_VARIABLE.sub(substitute, str(value))
    return None if needs_user else resolved


def _environment(service: Service) -> dict[str, str | None]:
    raw = service.get("environment") or {}
    pairs = raw.items() if isinstance(raw, dict) else (item.partition("=")[::2] for item in raw)
    return {name: _interpolate(value) for name, value in pairs}


def _image_environment(stages: Stages) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, arguments in stages[-1]:
        if keyword == "ENV":
            for word in shlex.split(arguments):
                name, _, value = word.partition("=")
                env[name] = value
    return env


def _final_instruction(stages: Stages, keyword: str) -> list[str]:
    values = [json.loads(arguments) for kw, arguments in stages[-1] if kw == keyword]
    assert values, f"the final stage of {DOCKERFILE.name} has no {keyword}"
    return list(values[-1])


def _settings_for(service: Service, image_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The Settings a container of `service` builds (validated): image ENV, then its environment."""
    for name in list(os.environ):
        if name.startswith(SETTINGS_PREFIX):
            monkeypatch.delenv(name)
    for name, value in (image_env | _environment(service)).items():
        if name.startswith(SETTINGS_PREFIX) and value is not None:
            monkeypatch.setenv(name, value)
    return Settings()


def _volumes(service: Service) -> list[tuple[str, str]]:
    """(source, target) of each volume entry, short or long syntax."""
    result = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            result.append((str(entry.get("source", "")), str(entry["target"])))
        else:
            source, target, *_ = str(entry).split(":")
            result.append((source, target))
    return result


def _host_path(service: Service, container_path: str) -> Path:
    """The file in the repository that a container sees at `container_path` (a bind mount)."""
    wanted = PurePosixPath(container_path)
    for source, target in _volumes(service):
        if source.startswith((".", "/")) and wanted.is_relative_to(target):
            return (REPO_ROOT / source / wanted.relative_to(target)).resolve()
    pytest.fail(f"{container_path} is not bind-mounted from the repository: {_volumes(service)}")


def _container_ports(service: Service) -> set[int]:
    """Container side of `ports` ("[ip:]host:container") and `expose`."""
    published = {int(str(entry).rsplit(":", 1)[-1].split("/")[0]) for entry in service.get("ports") or []}
    return published | {int(str(port)) for port in service.get("expose") or []}


def test_compose_defines_every_service(services: dict[str, Service]) -> None:
    assert set(services) >= EXPECTED_SERVICES
    built_here = {name for name, spec in services.items() if str(spec.get("image")).startswith("newswatch:")}
    assert built_here == NEWSWATCH_SERVICES, "every newswatch service must be checked by this module"


def test_tagger_can_be_scaled(services: dict[str, Service]) -> None:
    tagger = services["tagger"]
    assert "container_name" not in tagger, "a fixed container_name breaks `--scale tagger=N`"
    assert "ports" not in tagger, "a fixed host port breaks `--scale tagger=N`; use `expose`"


def test_dependencies_wait_on_conditions_their_targets_support(services: dict[str, Service]) -> None:
    assert "healthcheck" in services["kafka"], "the newswatch services wait for a healthy kafka"
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            depends_on = {target: {"condition": "service_started"} for target in depends_on}
        for target, spec in depends_on.items():
            assert target in services, f"{name} depends on undefined service {target}"
            condition = spec.get("condition", "service_started")
            assert condition in DEPENDENCY_CONDITIONS, f"{name} -> {target}: unknown condition {condition}"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}: no healthcheck"


def test_every_newswatch_variable_is_a_setting(
    services: dict[str, Service], dockerfile_stages: Stages
) -> None:
    known = {SETTINGS_PREFIX + field.upper() for field in Settings.model_fields}
    given = [("Dockerfile", name) for name in _image_environment(dockerfile_stages)]
    given += [(service, name) for service, spec in services.items() for name in _environment(spec)]
    unknown = [
        (where, name) for where, name in given if name.startswith(SETTINGS_PREFIX) and name not in known
    ]
    assert not unknown, f"not fields of Settings (would be silently ignored): {unknown}"


def test_newswatch_services_run_existing_cli_commands(
    services: dict[str, Service], dockerfile_stages: Stages
) -> None:
    assert _final_instruction(dockerfile_stages, "ENTRYPOINT") == ["newswatch"], "commands are its arguments"
    default_command = _final_instruction(dockerfile_stages, "CMD")
    final_stage = dockerfile_stages[-1]
    workdir = PurePosixPath([arguments for keyword, arguments in final_stage if keyword == "WORKDIR"][-1])
    copied = {PurePosixPath(arguments.split()[-1]) for keyword, arguments in final_stage if keyword == "COPY"}
    parser = build_parser()
    for name in sorted(NEWSWATCH_SERVICES):
        service = services[name]
        command = service.get("command", default_command)
        arguments = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
        try:
            parsed = parser.parse_args(arguments)
        except SystemExit:
            pytest.fail(f"{name}: `newswatch {shlex.join(arguments)}` is rejected by the CLI")
        assert parsed.command == arguments[0], f"{name}: {arguments[0]} is not a subcommand"
        present = {PurePosixPath(target) for _, target in _volumes(service)} | copied
        for path in getattr(parsed, "paths", []):
            container_path = workdir / path
            assert any(container_path.is_relative_to(root) for root in present), (
                f"{name} reads {container_path}, which is neither mounted nor copied into the image"
            )


def test_tagger_port_agrees_with_expose_healthcheck_and_prometheus(
    services: dict[str, Service],
    dockerfile_stages: Stages,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tagger = services["tagger"]
    settings = _settings_for(tagger, _image_environment(dockerfile_stages), monkeypatch)
    assert settings.metrics_host == "0.0.0.0", "bound to loopback, the tagger cannot be scraped"
    assert [int(str(port)) for port in tagger["expose"]] == [settings.metrics_port]
    probe = " ".join(str(word) for word in tagger["healthcheck"]["test"])
    assert re.search(rf"localhost:{settings.metrics_port}/healthz", probe), probe

    prometheus = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    discovery = jobs["newswatch-tagger"]["dns_sd_configs"]
    assert any(
        "tagger" in sd["names"] and sd.get("type") == "A" and sd["port"] == settings.metrics_port
        for sd in discovery
    ), f"Prometheus does not discover every tagger replica on port {settings.metrics_port}: {discovery}"
    sources = {target: source for source, target in _volumes(services["prometheus"])}
    assert (REPO_ROOT / sources[PROMETHEUS_CONFIG_IN_CONTAINER]).resolve() == PROMETHEUS_CONFIG


def test_mounts_exist_and_named_volumes_are_declared(
    services: dict[str, Service], compose_volumes: dict[str, Any]
) -> None:
    for name, service in services.items():
        for source, target in _volumes(service):
            if source.startswith((".", "/")):
                assert (REPO_ROOT / source).exists(), f"{name} mounts missing {source} at {target}"
            elif source:
                assert source in compose_volumes, f"{name} uses undeclared volume {source}"


def test_kafka_advertises_the_bootstrap_of_the_newswatch_services(
    services: dict[str, Service],
    dockerfile_stages: Stages,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    advertised_value = _environment(services["kafka"])["KAFKA_ADVERTISED_LISTENERS"] or ""
    advertised = {listener.split("://")[1] for listener in advertised_value.split(",")}
    image_env = _image_environment(dockerfile_stages)
    for name in sorted(NEWSWATCH_SERVICES):
        bootstrap = _settings_for(services[name], image_env, monkeypatch).bootstrap_servers
        for address in bootstrap.split(","):
            assert address in advertised, f"{name} connects to {address}; kafka advertises {advertised}"
            assert address.rpartition(":")[0] == "kafka", f"{name}: {address} is not the kafka service"


def test_dockerfile_builds_in_stages_from_pinned_images(dockerfile_stages: Stages) -> None:
    assert len(dockerfile_stages) > 1, "build tools belong in a builder stage, not in the final image"
    for stage in dockerfile_stages:
        image = stage[0][1].split()[0]
        tag = image.rpartition(":")[2] if ":" in image else ""
        assert tag and tag != "latest", f"FROM {image}: pin a tag"


def test_final_image_runs_newswatch_unprivileged(dockerfile_stages: Stages) -> None:
    users = [arguments.split(":")[0] for keyword, arguments in dockerfile_stages[-1] if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}, "the final stage must switch to a non-root USER"
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    entrypoint = _final_instruction(dockerfile_stages, "ENTRYPOINT")
    assert entrypoint == ["newswatch"] and entrypoint[0] in scripts


def test_dockerfile_copies_files_that_exist(dockerfile_stages: Stages) -> None:
    for stage in dockerfile_stages:
        for keyword, arguments in stage:
            if keyword == "COPY" and "--from" not in arguments:
                sources = [word for word in arguments.split() if not word.startswith("--")][:-1]
                missing = [source for source in sources if not (REPO_ROOT / source).exists()]
                assert not missing, f"COPY {arguments}: not in the repository: {missing}"


def test_prometheus_loads_the_alert_rules_mounted_next_to_its_config(services: dict[str, Service]) -> None:
    rule_files = yaml.safe_load(PROMETHEUS_CONFIG.read_text()).get("rule_files") or []
    assert rule_files, "prometheus.yml loads no alert rules"
    config_dir = PurePosixPath(PROMETHEUS_CONFIG_IN_CONTAINER).parent
    for rule_file in rule_files:
        in_container = config_dir / rule_file  # Prometheus resolves them relative to its config
        expected = (PROMETHEUS_CONFIG.parent / rule_file).resolve()
        assert expected.is_file(), f"prometheus.yml loads {rule_file}, not in deploy/prometheus"
        assert _host_path(services["prometheus"], str(in_container)) == expected


def test_grafana_gets_the_prometheus_datasource_and_the_dashboard(services: dict[str, Service]) -> None:
    grafana = services["grafana"]
    provisioning = _host_path(grafana, GRAFANA_PROVISIONING_IN_CONTAINER)
    datasources = [
        source
        for path in sorted((provisioning / "datasources").glob("*.y*ml"))
        for source in yaml.safe_load(path.read_text())["datasources"]
    ]
    prometheus = [source for source in datasources if source["type"] == "prometheus"]
    assert len(prometheus) == 1, f"one Prometheus datasource expected: {datasources}"
    url = urlsplit(prometheus[0]["url"])
    assert url.hostname == "prometheus" and url.port in _container_ports(services["prometheus"]), url

    providers = [
        provider
        for path in sorted((provisioning / "dashboards").glob("*.y*ml"))
        for provider in yaml.safe_load(path.read_text())["providers"]
    ]
    folders = [_host_path(grafana, provider["options"]["path"]) for provider in providers]
    assert GRAFANA_DASHBOARD.parent.resolve() in folders, f"no provider loads {GRAFANA_DASHBOARD.parent}"
    home = _environment(grafana).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
    if home:
        assert _host_path(grafana, home) == GRAFANA_DASHBOARD.resolve()


def test_grafana_waits_for_prometheus_and_refuses_a_default_password(services: dict[str, Service]) -> None:
    grafana = services["grafana"]
    assert grafana["depends_on"]["prometheus"]["condition"] == "service_healthy"
    password = grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"]
    assert _interpolate(password) is None, "the Grafana admin password must be required (${VAR:?...})"
