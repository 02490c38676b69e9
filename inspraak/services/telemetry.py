"""Traces and logs of a process, set up by its composition root (``create_app``, the worker's ``main``,
``inspraak dev``), never at import time.

One trace follows a staff action: the FastAPI instrumentation opens it at the HTTP request, Temporal's
``TracingInterceptor`` carries it through the client into the workflow and its activities (in Temporal's
headers), the urllib3 instrumentation adds the object-store calls (the minio client speaks urllib3) and
:class:`~inspraak.activities.mail.SmtpMailer` its own span around an SMTP send. Spans carry ids (workflow,
run, activity, object key), never the payloads: no name or address of a tenant reaches a span.

Log lines carry the trace id and the trajectory id (Temporal's workflow id) of the step that wrote them.
"""

import json
import logging
import os
import re
import socket
import time
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, SpanExporter
from temporalio import activity, workflow
from temporalio.client import Interceptor
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.runtime import (
    OpenTelemetryConfig,
    OpenTelemetryMetricTemporality,
    PrometheusConfig,
    Runtime,
    TelemetryConfig,
)

from inspraak.settings import Settings

# The process's tracer provider once tracing is set up; None while tracing is off.
_provider: TracerProvider | None = None
# The Temporal runtime with metrics, made once: its Prometheus endpoint holds a port, its OTLP exporter a thread.
_runtime: Runtime | None = None


def tracing_enabled(settings: Settings) -> bool:
    """Whether the settings send traces anywhere (a collector or the console)."""
    return bool(settings.otel_exporter_otlp_endpoint) or settings.otel_console


def setup_tracing(settings: Settings, service: str, *, exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Install the process's tracer provider and the urllib3 instrumentation, once per process.

    Args:
        settings: where spans go (``otel_exporter_otlp_endpoint``, ``otel_console``).
        service: the process's role (``api``, ``worker``, ``dev``), appended to ``otel_service_name``.
        exporter: an exporter of the caller's (tests keep spans in memory); spans go to it at once.

    Returns:
        The provider, or None when the settings send traces nowhere and no exporter is given.
    """
    global _provider
    if _provider is not None:
        return _provider
    if exporter is None and not tracing_enabled(settings):
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": f"{settings.otel_service_name}-{service}"}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if settings.otel_exporter_otlp_endpoint:
        # Imported here: only a process that exports over OTLP loads the exporter (and its protobuf code).
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_url(settings, "traces"))))
    if settings.otel_console:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    # The global provider can be set once per process; our own spans (SMTP) and Temporal's find it there.
    trace.set_tracer_provider(provider)
    URLLib3Instrumentor().instrument(tracer_provider=provider)
    _provider = provider
    return provider


def otlp_url(settings: Settings, signal: str) -> str:
    """The collector's address for ``signal`` (``traces``, ``metrics``): the setting is its base URL, as
    OTEL_EXPORTER_OTLP_ENDPOINT is, and OTLP/HTTP wants the path."""
    assert settings.otel_exporter_otlp_endpoint, "no OTLP endpoint set"
    return f"{settings.otel_exporter_otlp_endpoint.rstrip('/')}/v1/{signal}"


def shutdown_tracing() -> None:
    """Flush the spans and take the instrumentation off again (tests; a process's exit flushes by itself)."""
    global _provider
    if _provider is None:
        return
    URLLib3Instrumentor().uninstrument()
    _provider.force_flush()
    _provider = None


def current_trace_id() -> str:
    """The trace id of the current span (hex), or empty when there is none (tracing off)."""
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else ""


def tracing_active() -> bool:
    return _provider is not None


def temporal_interceptors() -> list[Interceptor]:
    """The Temporal client's interceptors for tracing; a worker built on the client takes them over."""
    return [TracingInterceptor()] if _provider is not None else []


# Secrets that travel in a portal address: a login link's token (``?t=``) and a calendar feed's secret. Whoever
# reads the logs or the traces must not be able to log in or read a feed with them.
_SECRET_IN_ADDRESS = re.compile(r"(/portaal/agenda/)[^/?#\s\"]+(\.ics)|([?&]t=)[^&#\s\"]+")
# The span attributes that carry a request's address (old and new semantic conventions).
_ADDRESS_ATTRIBUTES = ("http.target", "http.url", "url.path", "url.query", "url.full")


def scrub(text: str) -> str:
    """``text`` with the secrets of portal addresses replaced by ``***``."""
    return _SECRET_IN_ADDRESS.sub(lambda m: f"{m[1]}***{m[2]}" if m[1] else f"{m[3]}***", text)


class ScrubSecrets(logging.Filter):
    """Removes :func:`scrub`'s secrets from every log record (uvicorn's access lines put the address in args)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        return True


def _scrub_span(span: Any, scope: dict[str, Any]) -> None:
    attributes = getattr(span, "attributes", None) or {}
    for name in _ADDRESS_ATTRIBUTES:
        value = attributes.get(name)
        if isinstance(value, str) and value != scrub(value):
            span.set_attribute(name, scrub(value))


def instrument_app(app: FastAPI) -> None:
    """Open a span for every request of ``app`` when tracing is on (addresses without their secrets)."""
    if _provider is not None:
        FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider, server_request_hook=_scrub_span)


def prometheus_runtime(address: str) -> Runtime:
    """A Temporal runtime that serves its metrics at ``http://<address>/metrics``: the SDK's (with their
    ``temporal_`` prefix) and Inspraak's own (``inspraak_``, see ``activities/metrics.py``)."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(
        bind_address=address, counters_total_suffix=True, durations_as_seconds=True)))


def otlp_runtime(settings: Settings) -> Runtime:
    """A Temporal runtime that sends the same metrics over OTLP/HTTP (protobuf) to ``<endpoint>/v1/metrics``
    every ``metrics_otlp_interval_seconds``, cumulative (as Prometheus-style backends and the collector's
    Prometheus exporter expect: a lost export loses no count), durations in seconds.

    The resource names the process: ``service.name`` is ``otel_service_name``, ``service.instance.id`` the host
    and process id, so two workers' cumulative series stay apart in the collector (Prometheus's ``instance``).
    """
    return Runtime(telemetry=TelemetryConfig(
        metrics=OpenTelemetryConfig(
            url=otlp_url(settings, "metrics"), http=True,
            metric_periodicity=timedelta(seconds=settings.metrics_otlp_interval_seconds),
            metric_temporality=OpenTelemetryMetricTemporality.CUMULATIVE, durations_as_seconds=True),
        global_tags={"service.name": settings.otel_service_name,
                     "service.instance.id": f"{socket.gethostname()}-{os.getpid()}"}))


def metrics_runtime(settings: Settings) -> Runtime | None:
    """A new runtime exporting metrics as the settings say (Prometheus or OTLP; the settings refuse both), or
    None when metrics are off, or OTLP is asked for without a collector (a warning; production refuses it)."""
    if settings.metrics_prometheus_address is not None:
        return prometheus_runtime(settings.metrics_prometheus_address)
    if not settings.metrics_otlp:
        return None
    if not settings.otel_exporter_otlp_endpoint:
        logging.getLogger(__name__).warning("INSPRAAK_METRICS_OTLP is on but no collector is set "
                                            "(INSPRAAK_OTEL_EXPORTER_OTLP_ENDPOINT): no metrics are sent")
        return None
    return otlp_runtime(settings)


def temporal_runtime(settings: Settings) -> Runtime | None:
    """The process's runtime for Temporal clients: with metrics when configured, else None (the default).
    Made once per process (the API's, the worker's and ``inspraak dev``'s clients share it)."""
    global _runtime
    if settings.metrics_prometheus_address is None and not settings.metrics_otlp:
        return None
    if _runtime is None:
        _runtime = metrics_runtime(settings)
    return _runtime


class TrajectoryContext(logging.Filter):
    """Puts ``trace_id``, ``span_id`` and ``trajectory_id`` on every record (empty strings where unknown).

    The trajectory id is the workflow id of the activity or workflow that is running, read from Temporal's
    context; the trace id from the current span.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else ""
        record.span_id = format(ctx.span_id, "016x") if ctx.is_valid else ""
        record.trajectory_id = _trajectory_id(record)
        return True


def _trajectory_id(record: logging.LogRecord) -> str:
    # Temporal's own loggers put the info on the record; other loggers find it in the running context.
    for extra in ("temporal_activity", "temporal_workflow"):
        info = getattr(record, extra, None)
        if isinstance(info, dict) and info.get("workflow_id"):
            return str(info["workflow_id"])
    if activity.in_activity():
        return activity.info().workflow_id or ""
    if workflow.in_workflow():
        return workflow.info().workflow_id
    return ""


# What a JSON line carries besides the message; anything else on a record stays out (it may hold payloads).
_JSON_FIELDS = ("trace_id", "span_id", "trajectory_id")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, trace and trajectory ids, exception."""

    def converter(self, secs: float | None) -> time.struct_time:  # type: ignore[override]
        return time.gmtime(secs)

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in _JSON_FIELDS:
            value = getattr(record, field, "")
            if value:
                line[field] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [trajectory=%(trajectory_id)s trace=%(trace_id)s] %(message)s"


def log_handler(settings: Settings, stream: Any = None) -> logging.Handler:
    """A handler writing to ``stream`` (stderr) in the settings' format, with the trajectory context."""
    handler = logging.StreamHandler(stream)
    if settings.effective_log_format == "json":
        formatter: logging.Formatter = JsonFormatter()
    else:
        formatter = logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(ScrubSecrets())
    handler.addFilter(TrajectoryContext())
    return handler


def setup_logging(settings: Settings) -> None:
    """Send the process's log records to stderr in the settings' format (replacing earlier handlers)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(log_handler(settings))
    root.setLevel(settings.log_level)
