"""How many trajectories are overdue now, per type: counted from the search attributes, read as a gauge."""

import asyncio
from datetime import date, timedelta

import httpx
from temporalio.testing import WorkflowEnvironment

from inspraak.services.telemetry import prometheus_runtime
from inspraak.services.worker.overdue import count_overdue
from tests.activities.conftest import free_port
from tests.services.api.conftest import Api
from tests.workflows.test_trajectory_metrics import total


async def test_the_overdue_trajectories_of_each_type_are_a_gauge_wohv_art_5a(api: Api, dev_env: WorkflowEnvironment):
    # A consent request registered after its term passed: nothing is deemed given (art. 5a), it is overdue at once.
    r = await api.create(path="/v1/advice-requests/registrations", category="j", consent_requested=True,
                         information_provided_on=(date.today() - timedelta(weeks=12)).isoformat())
    assert r.status_code == 201, r.text
    address = f"127.0.0.1:{free_port()}"
    runtime = prometheus_runtime(address)
    counts: dict[str, int] = {}
    for _ in range(100):  # visibility follows the workflow's upsert within moments
        counts = await count_overdue(dev_env.client, runtime.metric_meter)
        if counts["advice_request"] >= 1:
            break
        await asyncio.sleep(0.1)
    assert counts["advice_request"] >= 1 and "renovation" in counts
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"http://{address}/metrics")).text
    assert total(text, "inspraak_trajectories_overdue_now", type="advice_request") == counts["advice_request"]
    assert total(text, "inspraak_trajectories_overdue_now", type="renovation") == counts["renovation"]
