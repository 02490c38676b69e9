"""Metrics over OTLP/HTTP: a worker whose runtime the settings build sends Temporal's SDK metrics and Inspraak's own
to a receiver on loopback that speaks the real protocol (POST /v1/metrics, protobuf), and the settings refuse
what cannot work."""

import asyncio
import gzip
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality, Metric
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from inspraak.domain.advice_actions import Withdrawn
from inspraak.services import telemetry
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings, load_settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from tests.workflows.conftest import Stack, finished, starter


@dataclass
class Receiver:
    """An OTLP/HTTP metrics receiver: every export it was sent, decoded."""

    endpoint: str
    exports: list[ExportMetricsServiceRequest] = field(default_factory=list)
    content_types: set[str] = field(default_factory=set)

    def metrics(self) -> list[tuple[dict[str, str], Metric]]:
        """Every metric received, with its resource's attributes."""
        return [(attributes(rm.resource.attributes), m) for export in list(self.exports)
                for rm in export.resource_metrics for sm in rm.scope_metrics for m in sm.metrics]


def attributes(kvs: list[KeyValue]) -> dict[str, str]:
    return {kv.key: kv.value.string_value for kv in kvs}


def points(metric: Metric) -> list[Any]:
    kind = metric.WhichOneof("data")
    return list(getattr(metric, kind).data_points) if kind else []


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    exports: list[ExportMetricsServiceRequest] = []
    content_types: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path != "/v1/metrics":
                self.send_response(404)
                self.end_headers()
                return
            content_types.add(self.headers.get("Content-Type", ""))
            request = ExportMetricsServiceRequest()
            request.ParseFromString(body)
            exports.append(request)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_address[1]}", exports, content_types)
    finally:
        server.shutdown()
        server.server_close()


async def received(receiver: Receiver, name: str, timeout: float = 30, **labels: str) -> Metric:
    """The latest export of metric ``name`` with a data point carrying ``labels``, waited for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for _, metric in reversed(receiver.metrics()):
            if metric.name == name and any(labels.items() <= attributes(p.attributes).items()
                                           for p in points(metric)):
                return metric
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {name} {labels} arrived; got {sorted({m.name for _, m in receiver.metrics()})}")


async def test_a_worker_sends_temporal_s_and_inspraak_s_metrics_over_otlp_http(
        env: WorkflowEnvironment, receiver: Receiver, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"otlp-{uuid.uuid4().hex[:8]}",
                        metrics_otlp=True, metrics_otlp_interval_seconds=1,
                        otel_exporter_otlp_endpoint=receiver.endpoint + "/")
    runtime = telemetry.metrics_runtime(settings)  # as temporal_runtime makes it for the process's clients
    assert runtime is not None
    client = await Client.connect(env.client.service_client.config.target_host, namespace=env.client.namespace,
                                  data_converter=pydantic_data_converter, runtime=runtime)
    async with build_worker(client, settings):
        stack = Stack(env, env.client, settings)
        handle = await starter(stack)()
        letters = await received(receiver, "inspraak_documents_generated", document_type="adviesaanvraag")
        sdk = await received(receiver, "temporal_workflow_task_execution_latency")
        await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test finished"))
        await finished(handle)
    assert receiver.content_types == {"application/x-protobuf"}
    # Counters are cumulative sums (what Prometheus-style backends expect), durations in seconds.
    assert letters.sum.is_monotonic
    assert letters.sum.aggregation_temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
    assert sdk.unit == "s" and sdk.WhichOneof("data") == "histogram"
    assert {"document_type": "adviesaanvraag", "task_queue": settings.task_queue}.items() <= attributes(
        letters.sum.data_points[0].attributes).items()
    render = await received(receiver, "inspraak_document_render_seconds", document_type="adviesaanvraag")
    assert render.histogram.data_points[0].count >= 1
    # The resource names the process, so two workers' cumulative series stay apart.
    resource = next(r for r, m in receiver.metrics() if m.name == "inspraak_documents_generated")
    assert resource["service.name"] == "inspraak" and resource["service.instance.id"]
    # Labels are kinds: no trajectory id on any of Inspraak's points.
    assert not [p for _, m in receiver.metrics() if m.name.startswith("inspraak_") for p in points(m)
                if handle.id in str(p.attributes)]


def test_prometheus_and_otlp_together_are_refused_at_start_naming_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPRAAK_METRICS_PROMETHEUS_ADDRESS", "0.0.0.0:9464")
    monkeypatch.setenv("INSPRAAK_METRICS_OTLP", "true")
    with pytest.raises(SystemExit) as e:
        load_settings()
    assert "INSPRAAK_METRICS_PROMETHEUS_ADDRESS" in str(e.value) and "INSPRAAK_METRICS_OTLP" in str(e.value)
    assert "nothing was started" in str(e.value)


def test_otlp_metrics_without_a_collector_are_a_production_problem_and_off_in_development() -> None:
    settings = Settings(metrics_otlp=True, otel_exporter_otlp_endpoint=None)
    assert any("INSPRAAK_METRICS_OTLP" in p and "INSPRAAK_OTEL_EXPORTER_OTLP_ENDPOINT" in p
               for p in settings.production_problems())
    assert telemetry.metrics_runtime(settings) is None
    with_collector = Settings(metrics_otlp=True, otel_exporter_otlp_endpoint="http://collector:4318")
    assert not [p for p in with_collector.production_problems() if "METRICS" in p]
    assert telemetry.otlp_url(with_collector, "metrics") == "http://collector:4318/v1/metrics"
