"""Inspraak's own metrics, read back in Prometheus format from a Temporal runtime's endpoint."""

import httpx
from temporalio.testing import ActivityEnvironment

from inspraak.activities import metrics
from inspraak.domain.documents import DocumentType
from inspraak.services.telemetry import prometheus_runtime
from tests.activities.conftest import free_port


def sample(text: str, name: str, document_type: DocumentType) -> float:
    lines = [line for line in text.splitlines()
             if line.startswith(name + "{") and f'document_type="{document_type.value}"' in line]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


async def test_reminders_and_escalations_are_counted_apart_from_the_documents_per_type() -> None:
    address = f"127.0.0.1:{free_port()}"
    env = ActivityEnvironment()
    runtime = prometheus_runtime(address)  # kept: its endpoint lives as long as it does
    env.metric_meter = runtime.metric_meter
    env.run(metrics.document_generated, DocumentType.HERINNERING, 0.02)
    env.run(metrics.document_generated, DocumentType.HERINNERING, 0.02)
    env.run(metrics.document_generated, DocumentType.INTERNE_ESCALATIE, 0.02)
    env.run(metrics.document_generated, DocumentType.ADVIESAANVRAAG, 0.02)
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"http://{address}/metrics")).text
    assert sample(text, "inspraak_reminders_total", DocumentType.HERINNERING) == 2
    assert sample(text, "inspraak_escalations_total", DocumentType.INTERNE_ESCALATIE) == 1
    assert sample(text, "inspraak_documents_generated_total", DocumentType.ADVIESAANVRAAG) == 1
    assert "inspraak_reminders_total" not in [line.split("{")[0] for line in text.splitlines()
                                              if 'document_type="adviesaanvraag"' in line]


def test_outside_an_activity_nothing_is_recorded_and_nothing_fails() -> None:
    metrics.document_generated(DocumentType.HERINNERING, 0.01)
