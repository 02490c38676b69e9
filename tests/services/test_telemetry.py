"""Traces and logs of a staff action: from the API over real HTTP through Temporal's dev server, the worker's
workflow and activities, to the S3 API (moto over HTTP) and an SMTP server on loopback."""

import asyncio
import io
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import Runtime
from temporalio.testing import WorkflowEnvironment

from inspraak.services import telemetry
from inspraak.services.api.app import create_app
from inspraak.services.directory import load_directory
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from tests.activities.conftest import S3_REGION, SmtpSink, free_port, moto_server, smtp_server  # noqa: F401
from tests.services.api.conftest import COMPLEXES, tokens_for
from tests.workflows.renovation_setup import households_csv, new_renovation


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on for this module's tests (the provider is the process's: set once), spans kept in memory."""
    exporter = InMemorySpanExporter()
    assert telemetry.setup_tracing(Settings(), "test", exporter=exporter) is not None
    try:
        yield exporter
    finally:
        telemetry.shutdown_tracing()


@pytest.fixture(scope="module")
def metrics_address() -> str:
    return f"127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def runtime(metrics_address: str) -> Runtime:
    """One Temporal runtime for the module's clients, serving metrics as ``metrics_prometheus_address`` does."""
    return telemetry.prometheus_runtime(metrics_address)


@dataclass
class Stack:
    http: httpx.AsyncClient
    settings: Settings
    tokens: dict[str, str]
    logs: io.StringIO


@pytest.fixture
async def stack(spans: InMemorySpanExporter, runtime: Runtime, dev_env: WorkflowEnvironment,
                moto_server: str, smtp_server: SmtpSink, tmp_path: Path) -> AsyncIterator[Stack]:  # noqa: F811
    """The API and a worker as their composition roots build them, with tracing on and logs captured as JSON."""
    settings = Settings(data_dir=tmp_path, task_queue=f"otel-{uuid.uuid4().hex[:8]}", api_port=free_port(),
                        storage_backend="s3", s3_endpoint=moto_server, s3_region=S3_REGION,
                        s3_bucket=f"inspraak-otel-{uuid.uuid4().hex[:12]}", mail_backend="smtp",
                        smtp_host=smtp_server.host, smtp_port=smtp_server.port, log_format="json")
    # A client of the dev server as connect() makes it with tracing and metrics on.
    client = await Client.connect(dev_env.client.service_client.config.target_host,
                                  namespace=dev_env.client.namespace, data_converter=pydantic_data_converter,
                                  interceptors=telemetry.temporal_interceptors(), runtime=runtime)
    logs = io.StringIO()
    handler = telemetry.log_handler(settings, logs)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    # aiosmtpd's log is the mail server's (it names every recipient), not Inspraak's: leave it out.
    smtp_log = logging.getLogger("mail.log")
    smtp_level = smtp_log.level
    smtp_log.setLevel(logging.WARNING)
    app = create_app(settings, client=client)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.api_port, log_level="warning"))
    spans.clear()
    try:
        async with build_worker(client, settings):
            task = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.02)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.api_port}", timeout=30) as http:
                yield Stack(http, settings, tokens_for(settings), logs)
            server.should_exit = True
            await task
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        smtp_log.setLevel(smtp_level)


async def start_advice_request(stack: Stack) -> str:
    body = {"organisation_id": "hv-eendracht", "subject": "Nieuw onderhoudsbeleid", "category": "a",
            "intention": "Wij gaan planmatig onderhoud anders plannen.", "reasons": "Kosten en kwaliteit.",
            "consequences": "Minder overlast.", "complexes": COMPLEXES["hv-eendracht"],
            "information_provided_on": date.today().isoformat()}
    r = await stack.http.post("/v1/advice-requests", json=body,
                              headers={"Authorization": f"Bearer {stack.tokens['staff']}"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def wait_for_span(spans: InMemorySpanExporter, name: str, timeout: float = 30) -> ReadableSpan:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for span in spans.get_finished_spans():
            if span.name == name:
                return span
        await asyncio.sleep(0.05)
    raise AssertionError(f"no span {name!r}; got {[s.name for s in spans.get_finished_spans()]}")


def ancestry(span: ReadableSpan, spans: InMemorySpanExporter) -> list[ReadableSpan]:
    """``span`` and its parents up to the root, by the parent links."""
    by_id = {s.context.span_id: s for s in spans.get_finished_spans()}
    chain = [span]
    while chain[-1].parent is not None:
        parent = by_id.get(chain[-1].parent.span_id)
        assert parent is not None, f"{chain[-1].name}'s parent was not exported"
        chain.append(parent)
    return chain


async def test_one_trace_runs_from_the_api_request_through_the_workflow_to_the_store_put(
        stack: Stack, spans: InMemorySpanExporter) -> None:
    await start_advice_request(stack)
    rendered = await wait_for_span(spans, "RunActivity:render_document")
    puts = [s for s in spans.get_finished_spans()
            if s.attributes and s.attributes.get("http.request.method", s.attributes.get("http.method")) == "PUT"
            and any(a is rendered for a in ancestry(s, spans))]
    assert puts, "the render activity's store put has no span under it"
    chain = list(reversed(ancestry(puts[0], spans)))
    assert [s.name for s in chain] == ["POST /v1/advice-requests", "StartWorkflow:AdviceRequestWorkflow",
                                       "StartActivity:render_document", "RunActivity:render_document", "PUT"]
    assert len({s.context.trace_id for s in chain}) == 1
    # The workflow's run is a span without duration (a trajectory runs for weeks; Temporal's interceptor
    # never keeps a span open in workflow code) beside the activities it starts, under the same start.
    run = await wait_for_span(spans, "RunWorkflow:AdviceRequestWorkflow")
    assert run.parent is not None and run.parent.span_id == chain[1].context.span_id
    assert run.attributes and chain[2].attributes
    assert run.attributes["temporalWorkflowID"] == chain[2].attributes["temporalWorkflowID"]


async def test_the_smtp_send_is_a_span_in_the_trace_of_the_request(stack: Stack, spans: InMemorySpanExporter) -> None:
    await start_advice_request(stack)
    sent = await wait_for_span(spans, "smtp send")
    chain = [s.name for s in reversed(ancestry(sent, spans))]
    assert chain[0] == "POST /v1/advice-requests"
    assert "RunActivity:send_mail" in chain


async def test_no_name_or_address_of_a_contact_is_in_a_span(stack: Stack, spans: InMemorySpanExporter) -> None:
    await start_advice_request(stack)
    await wait_for_span(spans, "smtp send")
    directory = load_directory(stack.settings.organisations_file)
    personal = {c.name for o in directory.organisations for c in o.contacts} | {
        str(c.email) for o in directory.organisations for c in o.contacts} | {"Sanne Behandelaar",
                                                                               "sanne@voorbeeldhaven.nl"}
    texts = []
    for span in spans.get_finished_spans():
        texts += [span.name, *(str(v) for v in (span.attributes or {}).values())]
        texts += [str(v) for e in span.events for v in (e.attributes or {}).values()]
    leaked = {p for p in personal for t in texts if p.lower() in t.lower()}
    assert not leaked


async def test_each_log_line_of_a_step_carries_its_trace_and_trajectory_id(
        stack: Stack, spans: InMemorySpanExporter) -> None:
    trajectory_id = await start_advice_request(stack)
    sent = await wait_for_span(spans, "smtp send")
    # The activity logs "mail ... sent" just after the send's span has ended: wait for the line, not the span.
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in stack.logs.getvalue().splitlines()]
        mail_lines = [line for line in lines if line["message"].startswith("mail ")]
        if mail_lines or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    assert mail_lines, lines
    for line in mail_lines:
        assert line["trajectory_id"] == trajectory_id
        assert line["trace_id"] == format(sent.context.trace_id, "032x")


async def test_a_renovation_s_invitations_leave_no_household_s_name_or_address_in_logs_or_spans(
        stack: Stack, spans: InMemorySpanExporter) -> None:
    staff = {"Authorization": f"Bearer {stack.tokens['staff']}"}
    body = new_renovation().model_dump(mode="json") | {"households_csv": households_csv(6)}
    r = await stack.http.post("/v1/renovations", json=body, headers=staff)
    assert r.status_code == 201, r.text
    renovation = r.json()["id"]
    r = await stack.http.post(f"/v1/renovations/{renovation}/invitation", headers=staff, json={
        "kickoff_at": (datetime.now(UTC) + timedelta(days=10)).isoformat(), "kickoff_place": "buurthuis",
        "sign_up_deadline": (datetime.now(UTC) + timedelta(days=21)).date().isoformat()})
    assert r.status_code == 200, r.text
    # Every second household has an address: three invitations by mail.
    deadline = time.monotonic() + 30
    while sum(s.name == "smtp send" for s in spans.get_finished_spans()) < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert sum(s.name == "smtp send" for s in spans.get_finished_spans()) >= 3
    logs = stack.logs.getvalue()
    assert f'"trajectory_id": "{renovation}"' in logs
    texts = [logs]
    for span in spans.get_finished_spans():
        texts += [span.name, *(str(v) for v in (span.attributes or {}).values())]
        texts += [str(v) for e in span.events for v in (e.attributes or {}).values()]
    everything = "\n".join(texts)
    for i in range(1, 7):
        for personal in (f"Huurder Nummer {i}", f"Partner-{i}", f"huurder{i}@example.nl", f"Molenweg {i},"):
            assert personal not in everything


def test_a_json_log_line_carries_only_its_own_fields() -> None:
    out = io.StringIO()
    log = logging.getLogger("tests.telemetry.json")
    log.propagate = False
    log.addHandler(telemetry.log_handler(Settings(log_format="json"), out))
    log.warning("mail %s sent", "m-1", extra={"payload": "Huurder Nummer 1"})
    line = json.loads(out.getvalue())
    assert line["message"] == "mail m-1 sent" and line["level"] == "WARNING"
    assert "payload" not in line and "trace_id" not in line


async def test_documents_per_type_and_temporal_s_metrics_are_served_in_prometheus_format(
        stack: Stack, spans: InMemorySpanExporter, metrics_address: str) -> None:
    await start_advice_request(stack)
    await wait_for_span(spans, "RunActivity:render_document")
    async with httpx.AsyncClient(base_url=f"http://{metrics_address}") as http:
        deadline = time.monotonic() + 30
        while True:
            text = (await http.get("/metrics")).text
            generated = [line for line in text.splitlines() if line.startswith("inspraak_documents_generated")
                         and 'document_type="adviesaanvraag"' in line]
            if generated or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
    assert generated and float(generated[0].rsplit(" ", 1)[1]) >= 1
    assert "inspraak_document_render_seconds" in text
    assert "temporal_activity_execution_latency" in text


def test_no_login_token_or_calendar_secret_is_in_a_log_line() -> None:
    """uvicorn's access line names the address; whoever reads the logs must not log in or read a feed with it."""
    out = io.StringIO()
    handler = telemetry.log_handler(Settings(log_format="json"), out)
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:50000", "GET", "/portaal/inloggen/link?t=LOGIN-TOKEN-1", "1.1", 200), None)
    handler.handle(record)
    handler.handle(logging.getLogger("x").makeRecord("x", logging.INFO, __file__, 1,
                                                     "fetched /portaal/agenda/FEED-SECRET-1.ics", (), None))

    text = out.getvalue()
    assert "LOGIN-TOKEN-1" not in text and "FEED-SECRET-1" not in text
    assert "/portaal/inloggen/link?t=***" in text and "/portaal/agenda/***.ics" in text


async def test_no_login_token_or_calendar_secret_is_in_a_span(stack: Stack, spans: InMemorySpanExporter) -> None:
    await stack.http.get("/portaal/inloggen/link", params={"t": "LOGIN-TOKEN-2"})
    await stack.http.get("/portaal/agenda/FEED-SECRET-2.ics")

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len([s for s in spans.get_finished_spans()
                                               if s.kind.name == "SERVER"]) < 2:
        await asyncio.sleep(0.1)
    texts = [str(v) for s in spans.get_finished_spans() for v in [s.name, *(s.attributes or {}).values()]]
    assert any("/portaal/agenda/***.ics" in t for t in texts), texts
    assert not [t for t in texts if "LOGIN-TOKEN-2" in t or "FEED-SECRET-2" in t]
