"""The production compose file validates with the Docker client's compose (`docker compose
config`, or Debian's `docker-compose`, which need no engine), takes every secret from the
environment, refuses to start without one, and runs the services the deployment needs; the
Dockerfile is multi-stage, builds the web pages in and runs unprivileged with a health check."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from graph.settings import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "deploy" / "docker-compose.production.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
SECRETS = {
    "NEO4J_PASSWORD": "neo4j-secret-1",
    "REDIS_PASSWORD": "redis-secret-2",
    "GRACE_API_SECRET_KEY": "api-secret-3",
    "VAULT_TOKEN": "vault-secret-4",
    "GRAFANA_ADMIN_PASSWORD": "grafana-secret-5",
}
GRACE_SERVICES = {"migrate", "api", "worker", "passes", "watcher"}
SERVICES = GRACE_SERVICES | {
    "neo4j",
    "redis",
    "prometheus",
    "grafana",
    "otel-collector",
    "vault",
}


def compose_command() -> list[str] | None:
    """`docker compose` where the plugin is installed, else `docker-compose`, else None."""
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False, timeout=30
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


COMPOSE = compose_command()
needs_compose = pytest.mark.skipif(
    COMPOSE is None,
    reason="needs `docker compose` (the Docker client's plugin) or `docker-compose` "
    "(Debian: apt-get install docker-compose); no engine is needed",
)


def config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert COMPOSE is not None
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS and k != "GRACE_WORKERS"}
    return subprocess.run(
        [*COMPOSE, "-f", str(COMPOSE_FILE), "config"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@needs_compose
def test_the_production_compose_file_is_valid_with_every_service() -> None:
    result = config(SECRETS)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert set(services) == SERVICES
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["worker"]["command"] == ["grace", "worker", "--lane", "ingest"]
    assert services["passes"]["deploy"]["replicas"] == 1  # a deployment's passes one at a time
    assert services["passes"]["command"] == ["grace", "worker", "--lane", "passes"]
    for name in GRACE_SERVICES:
        environment = services[name]["environment"]
        assert environment["GRACE_PROFILE"] == "prod"
        assert environment["GRACE_NEO4J_PASSWORD"] == SECRETS["NEO4J_PASSWORD"]
        assert environment["GRACE_VAULT_TOKEN"] == SECRETS["VAULT_TOKEN"]


@needs_compose
def test_the_number_of_workers_comes_from_the_environment() -> None:
    result = config({**SECRETS, "GRACE_WORKERS": "4"})
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["services"]["worker"]["deploy"]["replicas"] == 4


@needs_compose
@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_a_missing_secret_stops_compose_naming_it(missing: str) -> None:
    result = config({k: v for k, v in SECRETS.items() if k != missing})
    assert result.returncode != 0
    assert f"set {missing}" in result.stderr


def test_no_secret_is_written_in_the_compose_file() -> None:
    text = COMPOSE_FILE.read_text()
    for line in text.splitlines():
        key = re.match(r"\s*([A-Z_]*(?:PASSWORD|TOKEN|SECRET_KEY|AUTH)):\s*(.*)", line)
        if key:
            assert "${" in key.group(2), line


def test_the_dockerfile_is_multi_stage_non_root_with_the_web_app_and_a_health_check() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert len(stages) >= 3
    final = lines[lines.index(stages[-1]) :]
    users = [line for line in final if line.startswith("USER ")]
    assert users
    assert users[-1].split()[1].split(":")[0] not in {"root", "0"}
    assert any(line.startswith("COPY --from=web") and "web/dist" in line for line in final)
    assert any(line.startswith("HEALTHCHECK") for line in final)
    assert "/health/live" in DOCKERFILE.read_text()
