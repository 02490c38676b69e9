"""The kernel's metrics read back in Prometheus format after a scenario: terms closed per term and outcome (met in
time, expired), trajectories that became overdue per type, beside the letters' own (reminders, escalations)."""

import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from inspraak.domain.advice import State
from inspraak.domain.advice_actions import AdvicePoint, AdviceReceived, Withdrawn
from inspraak.services.telemetry import prometheus_runtime
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from tests.activities.conftest import free_port
from tests.workflows.conftest import Stack, finished, pass_until, starter


def total(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include ``labels``."""
    found = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            found += float(line.rsplit(" ", 1)[1])
    return found


async def test_terms_met_and_expired_and_overdue_trajectories_are_counted_wohv_art_5a(
        env: WorkflowEnvironment, tmp_path: Path):
    address = f"127.0.0.1:{free_port()}"
    runtime = prometheus_runtime(address)  # the worker's runtime, as the worker's main makes it
    client = await Client.connect(env.client.service_client.config.target_host, namespace=env.client.namespace,
                                  data_converter=pydantic_data_converter, runtime=runtime)
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"metrics-{uuid.uuid4().hex[:8]}")
    async with build_worker(client, settings):
        stack = Stack(env, env.client, settings)
        start = starter(stack)
        advised = await start()
        await advised.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
            received_on=await stack.today(), points=[AdvicePoint(summary="Meer groen")]))
        # A consent request whose term passes without an answer: nothing is deemed (art. 5a), it is overdue.
        consent = await start(consent=True)
        term = (await consent.query(AdviceRequestWorkflow.view)).deadlines[0]
        await pass_until(stack, term.due_on + timedelta(days=1))
        assert (await consent.query(AdviceRequestWorkflow.view)).state == State.GEEN_INSTEMMING_ESCALATIE
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"http://{address}/metrics")).text
        for handle in (advised, consent):
            await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test finished"))
            await finished(handle)
    assert total(text, "inspraak_terms_closed_total", term="advice_term", outcome="met") == 1
    assert total(text, "inspraak_terms_closed_total", term="consent_term", outcome="expired") == 1
    assert total(text, "inspraak_trajectories_overdue_total", type="advice_request") >= 1
    # Beside the letters' metrics of the same scenario (the consent request's reminders and escalation).
    assert total(text, "inspraak_reminders_total") >= 1 and total(text, "inspraak_escalations_total") >= 1
    assert total(text, "inspraak_documents_generated_total", document_type="adviesaanvraag") >= 1
    # Labels are kinds: no trajectory id in any of Inspraak's samples.
    assert not [line for line in text.splitlines() if line.startswith("inspraak_") and "adv-test-" in line]
