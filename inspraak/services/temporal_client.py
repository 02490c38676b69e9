"""Connecting to Temporal, the same way for the API, the worker and the CLI."""

from temporalio.client import Client

from inspraak.services import telemetry
from inspraak.services.payloads import data_converter
from inspraak.settings import Settings


async def connect(settings: Settings) -> Client:
    """A client with the pydantic data converter (every workflow input and output is a pydantic model) that
    keeps large payloads in the document store; with tracing on, the trace goes along (a worker on this
    client takes the interceptor over); with metrics on, the process's runtime serves them."""
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                data_converter=data_converter(settings),
                                interceptors=telemetry.temporal_interceptors(),
                                runtime=telemetry.temporal_runtime(settings))
