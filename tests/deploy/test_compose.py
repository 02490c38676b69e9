"""The production compose file, checked without a Docker engine: it parses, it names only services that
exist, every variable it uses is documented, and the API and workers agree with the services they use."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from inspraak.settings import Settings
from inspraak.workflows import names

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
COLLECTOR = ROOT / "deploy" / "otel-collector.yaml"

# ${VAR}, ${VAR:-default}, ${VAR:?message}; "$${...}" is an escaped dollar for the container's shell.
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|PWD|TOKEN|ACCESS_KEY|ROOT_USER", re.IGNORECASE)


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def interpolate(value: str, env: dict[str, str]) -> str:
    """What compose makes of a value with the variables of ``env`` (the subset of the syntax we use)."""
    def replace(m: re.Match[str]) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if env.get(name):
            return env[name]
        if op == ":-":
            return arg
        raise KeyError(f"{name} is required: {arg}")
    return VARIABLE.sub(replace, value).replace("$$", "$")


def environment(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    raw = services()[service].get("environment", {})
    assert isinstance(raw, dict), f"{service}: environment as a mapping"
    return {k: interpolate(str(v), env if env is not None else env_example()) for k, v in raw.items()}


def host_port(address: str) -> tuple[str, int]:
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    assert parts.hostname and parts.port, address
    return parts.hostname, parts.port


def test_compose_file_parses_with_the_services_of_the_production_shape():
    assert {"postgresql", "temporal", "temporal-search-attributes", "temporal-ui", "minio", "minio-setup",
            "otel-collector", "jaeger", "api", "worker"} <= set(services())


def test_every_service_in_depends_on_exists():
    for name, service in services().items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services(), f"{name} depends on {dependency}, which is not a service"


def test_every_service_has_a_health_check():
    for name, service in services().items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_every_image_is_pinned_to_a_version():
    for name, service in services().items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest" and re.search(r"\d", tag), f"{name}: {image} is not pinned"


def test_every_variable_the_compose_file_uses_is_in_env_example():
    used = set(VARIABLE.findall(COMPOSE.read_text(encoding="utf-8")))
    missing = {m[0] for m in used} - set(env_example())
    assert not missing, f"used in docker-compose.yml but not in .env.example: {sorted(missing)}"


def test_every_inspraak_variable_set_is_a_setting():
    fields = {f"INSPRAAK_{name.upper()}" for name in Settings.model_fields}
    for name, service in services().items():
        unknown = {k for k in service.get("environment", {}) if k.startswith("INSPRAAK_")} - fields
        assert not unknown, f"{name} sets variables Settings does not read: {sorted(unknown)}"


def test_no_secret_is_written_in_the_compose_file():
    for name, service in services().items():
        for key, value in service.get("environment", {}).items():
            if SECRET_NAME.search(key):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]*\}", str(value)), \
                    f"{name}: {key} must come from .env as a required ${{VAR:?}} reference"


def test_env_example_holds_placeholders_not_secrets():
    for key, value in env_example().items():
        if SECRET_NAME.search(key):
            assert value == "" or value.startswith("change-me"), f".env.example: {key} looks like a real value"


@pytest.mark.parametrize("service", ["api", "worker"])
def test_api_and_workers_start_in_production_with_the_example_settings(service):
    env = environment(service)
    assert env["INSPRAAK_ENVIRONMENT"] == "production"
    settings = Settings(**{k.removeprefix("INSPRAAK_").lower(): v for k, v in env.items()})
    settings.check_production()  # placeholders are not the development defaults
    assert settings.storage_backend == "s3" and settings.mail_backend == "smtp"


@pytest.mark.parametrize("service", ["api", "worker"])
def test_api_and_workers_reach_temporal_on_its_port_with_its_task_queue(service):
    env = environment(service)
    host, port = host_port(env["INSPRAAK_TEMPORAL_ADDRESS"])
    assert host == "temporal" and port == 7233
    assert "--address" in services()["temporal"]["healthcheck"]["test"]
    assert f"{host}:{port}" in services()["temporal"]["healthcheck"]["test"]
    assert env["INSPRAAK_TASK_QUEUE"] == names.TASK_QUEUE_DEFAULT
    assert environment("temporal-search-attributes")["TEMPORAL_ADDRESS"] == f"{host}:{port}"


@pytest.mark.parametrize("service", ["api", "worker"])
def test_api_and_workers_use_the_bucket_and_key_that_minio_setup_creates(service):
    env = environment(service)
    setup = environment("minio-setup")
    host, port = host_port(env["INSPRAAK_S3_ENDPOINT"])
    assert host == "minio" and port == 9000
    assert f"http://{host}:{port}" in services()["minio-setup"]["command"][0]
    assert env["INSPRAAK_S3_BUCKET"] == setup["BUCKET"]
    assert env["INSPRAAK_S3_ACCESS_KEY"] == setup["APP_ACCESS_KEY"]
    assert env["INSPRAAK_S3_SECRET_KEY"] == setup["APP_SECRET_KEY"]


def test_minio_setup_creates_the_bucket_with_object_lock_and_versioning():
    script = services()["minio-setup"]["command"][0]
    assert "mc mb --ignore-existing --with-lock" in script
    assert "mc version enable" in script


def test_search_attributes_registered_at_start_are_those_of_the_workflows():
    script = services()["temporal-search-attributes"]["command"][0]
    registered = dict(re.findall(r"(Inspraak\w+)=(\w+)", script))
    kinds = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "BOOL": "Bool", "INT": "Int", "FLOAT": "Double",
             "TEXT": "Text", "KEYWORD_LIST": "KeywordList"}
    expected = {key.name: kinds[key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_")]
                for key in names.SEARCH_ATTRIBUTES}
    assert registered == expected


def test_the_api_listens_where_its_port_and_health_check_point():
    api = services()["api"]
    env = environment("api")
    assert env["INSPRAAK_API_HOST"] == "0.0.0.0"
    port = env["INSPRAAK_API_PORT"]
    assert any(str(p).endswith(f":{port}") for p in api["ports"])
    assert f"127.0.0.1:{port}/healthz" in " ".join(api["healthcheck"]["test"])


def test_workers_share_one_named_volume_for_the_mail_ledger():
    worker = services()["worker"]
    assert worker["deploy"]["replicas"] >= 2
    ledger = environment("worker")["INSPRAAK_MAIL_LEDGER_PATH"]
    mounts = dict(reversed(v.split(":")[:2]) for v in worker["volumes"])
    assert mounts.get(ledger) in compose()["volumes"], "the mail ledger must be a named volume"


def test_state_that_must_survive_a_restart_is_on_named_volumes():
    declared = set(compose()["volumes"])
    for service, target in [("postgresql", "/var/lib/postgresql/data"), ("minio", "/data")]:
        mounts = dict(reversed(v.split(":")[:2]) for v in services()[service]["volumes"])
        assert mounts.get(target) in declared, f"{service}: {target} is not on a named volume"


def test_traces_go_from_temporal_through_the_collector_to_the_viewer():
    collector = yaml.safe_load(COLLECTOR.read_text(encoding="utf-8"))
    host, port = host_port(environment("temporal")["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])
    assert host == "otel-collector"
    assert collector["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].endswith(f":{port}")
    pipeline = collector["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"]
    exporter_hosts = {host_port(collector["exporters"][e]["endpoint"])[0] for e in pipeline["exporters"]}
    assert exporter_hosts == {"jaeger"} and "jaeger" in services()
    assert environment("jaeger")["COLLECTOR_OTLP_ENABLED"] == "true"
    mounted = [v.split(":")[0] for v in services()["otel-collector"]["volumes"]]
    assert "./deploy/otel-collector.yaml" in mounted


@pytest.mark.parametrize("service", ["api", "worker"])
def test_api_and_workers_send_traces_and_metrics_over_otlp_http_to_the_collector(service):
    collector = yaml.safe_load(COLLECTOR.read_text(encoding="utf-8"))
    env = environment(service)
    settings = Settings(**{k.removeprefix("INSPRAAK_").lower(): v for k, v in env.items()})
    assert settings.metrics_otlp and settings.metrics_prometheus_address is None
    assert settings.otel_exporter_otlp_endpoint is not None
    host, port = host_port(settings.otel_exporter_otlp_endpoint)
    assert host == "otel-collector" and urlsplit(settings.otel_exporter_otlp_endpoint).scheme == "http"
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(f":{port}")


def test_the_collector_s_metrics_pipeline_takes_otlp_and_serves_prometheus_on_the_published_port():
    collector = yaml.safe_load(COLLECTOR.read_text(encoding="utf-8"))
    pipelines = collector["service"]["pipelines"]
    assert pipelines["metrics"]["receivers"] == ["otlp"] and pipelines["metrics"]["exporters"] == ["prometheus"]
    for name, pipeline in pipelines.items():  # what `otelcol validate` checks first: every part is declared
        for kind in ("receivers", "processors", "exporters"):
            missing = set(pipeline.get(kind, [])) - set(collector.get(kind) or {})
            assert not missing, f"pipeline {name} uses undeclared {kind}: {sorted(missing)}"
    _, port = host_port(collector["exporters"]["prometheus"]["endpoint"])
    assert f"127.0.0.1:{port}:{port}" in services()["otel-collector"]["ports"]
