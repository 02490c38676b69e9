"""Benchmark: the evidence ZIP of a 1,000-home renovation (``GET /v1/renovations/{id}/evidence``), as built.

Temporal's dev server, ``inspraak worker`` and ``inspraak api`` as their own processes (``renovation_stack``).
A 1,000-home renovation gets its proposals and every home's answer through the API (as in
``renovation_answers.py``); then, in the same run:

- **through the API**, ``--fetches`` times: time to the response's first byte and to its last, the ZIP's size;
  the API process's peak resident memory (``VmHWM`` of ``/proc/<pid>/status``) before the first fetch and after
  the last, and its resident memory (``VmRSS``) after;
- **what is in it**: entries by kind (letters, CSVs, index.html, the rest), their sizes before and after
  compression, the biggest;
- **baselines** over the very same documents: the plain sum of the stored objects' sizes (read from the store);
  ``zipfile`` writing them one by one into a file on disk, deflated and stored (one document in memory at a
  time); and ``evidence_zip`` called in this process (the API's code without HTTP) with ``tracemalloc``'s peak.

The dev server runs in real time, so the reply date cannot pass: the vote stays open and the ZIP holds no
result letter and no kennisgevingen (those add one letter per home that did not agree; see docs/scale.md).

Usage: ``python bench/renovation_evidence.py [--homes 1000] [--concurrency 10] [--fetches 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import time
import tracemalloc
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.load_starts import Phase  # noqa: E402
from bench.renovation_answers import answer_call, line, staff_headers, timed, voting  # noqa: E402
from bench.renovation_stack import api_stack  # noqa: E402
from inspraak.activities.evidence import evidence_zip, with_household_letters  # noqa: E402
from inspraak.activities.storage import build_store  # noqa: E402
from inspraak.domain.evidence import EvidenceRecord  # noqa: E402
from inspraak.settings import Settings  # noqa: E402
from inspraak.workflows.renovation import RenovationWorkflow  # noqa: E402

MIB = 1024 * 1024


def memory(pid: int) -> dict[str, int]:
    """``VmHWM`` and ``VmRSS`` of a process, in bytes."""
    out = {}
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = row.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0]) * 1024
    return out


async def fetch(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[float, float, bytes]:
    """Seconds to the first byte of the body and to the last, and the body."""
    chunks: list[bytes] = []
    first = 0.0
    start = time.perf_counter()
    async with http.stream("GET", url, headers=headers) as r:
        r.raise_for_status()
        async for chunk in r.aiter_raw():
            if not chunks:
                first = time.perf_counter() - start
            chunks.append(chunk)
    return first, time.perf_counter() - start, b"".join(chunks)


def kind(name: str) -> str:
    if name.endswith(".docx"):
        return "letters (.docx)"
    if name.endswith(".csv"):
        return "CSV files"
    if name == "index.html":
        return "index.html"
    return "the rest (telling.txt, SHA256SUMS)"


def contents(data: bytes) -> list[str]:
    """Entries by kind: count, bytes before and after compression, the biggest."""
    groups: dict[str, list[zipfile.ZipInfo]] = defaultdict(list)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            groups[kind(info.filename)].append(info)
    rows = []
    for name, infos in sorted(groups.items()):
        big = max(infos, key=lambda i: i.file_size)
        rows.append(f"{name:36s} {len(infos):5d} entries  {sum(i.file_size for i in infos) / MIB:7.2f} MiB -> "
                    f"{sum(i.compress_size for i in infos) / MIB:7.2f} MiB zipped; biggest {big.filename} "
                    f"{big.file_size / 1024:.0f} KiB")
    return rows


async def baselines(settings: Settings, record: EvidenceRecord, out: Path) -> list[str]:
    """The same documents: their plain sum, zipfile to disk one at a time, and ``evidence_zip`` in this process."""
    store = build_store(settings)
    full = await with_household_letters(store, record)
    docs = full.needed_documents()
    start = time.perf_counter()
    sizes = [len(await store.get(d.key)) for d in docs]
    read = time.perf_counter() - start
    rows = [f"stored objects the ZIP holds: {len(docs)}, {sum(sizes) / MIB:.2f} MiB in all (read in {read:.2f} s)"]
    for method, label in ((zipfile.ZIP_DEFLATED, "deflated"), (zipfile.ZIP_STORED, "stored")):
        path = out / f"plain-{label}.zip"
        start = time.perf_counter()
        with zipfile.ZipFile(path, "w", compression=method) as z:
            for d in docs:
                z.writestr(d.key, await store.get(d.key))
        rows.append(f"zipfile to disk, one document at a time, {label:8s}: {time.perf_counter() - start:6.2f} s, "
                    f"{path.stat().st_size / MIB:.2f} MiB")
    tracemalloc.start()
    start = time.perf_counter()
    data = await evidence_zip(store, record, datetime.now(UTC), "bench")
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows.append(f"evidence_zip in this process (no HTTP): {seconds:6.2f} s, {len(data) / MIB:.2f} MiB, "
                f"Python allocations peak {peak / MIB:.1f} MiB (tracemalloc, which slows it)")
    return rows


async def main(homes: int, concurrency: int, fetches: int) -> None:
    async with api_stack("evidence") as stack:
        settings, api, client = stack.settings, stack.api, stack.client
        handle, _, today = await voting(client, settings, homes)
        staff = staff_headers(settings)
        units = [f"301-{i:03d}" for i in range(1, homes + 1)]
        async with httpx.AsyncClient(base_url=stack.base, timeout=300) as http:
            answer = answer_call(http, handle.id, staff, today)
            print(f"answers through the API, {concurrency} at a time ...", flush=True)
            answers = await timed(Phase("answers"), units, concurrency, answer)
            before = memory(api.pid)
            print(f"the evidence ZIP through the API, {fetches} times ...", flush=True)
            timings = []
            for _ in range(fetches):
                first, last, body = await fetch(http, f"/v1/renovations/{handle.id}/evidence", staff)
                timings.append((first, last))
            after = memory(api.pid)
        record: EvidenceRecord = await handle.query(RenovationWorkflow.evidence)
        print("baselines over the same documents ...", flush=True)
        plain = await baselines(settings, record, settings.data_dir)

    print(f"\n{homes}-home renovation, vote open, every home answered; one run on this machine")
    print(f"  answers (staff, paper): {line(answers)}")
    for n, (first, last) in enumerate(timings, start=1):
        print(f"  GET evidence #{n}: first byte {first:6.2f} s, last byte {last:6.2f} s, {len(body) / MIB:.2f} MiB")
    print(f"  API process VmHWM before {before['VmHWM'] / MIB:.0f} MiB, after {after['VmHWM'] / MIB:.0f} MiB "
          f"(+{(after['VmHWM'] - before['VmHWM']) / MIB:.0f} MiB); VmRSS before {before['VmRSS'] / MIB:.0f} MiB, "
          f"after {after['VmRSS'] / MIB:.0f} MiB")
    for row in contents(body):
        print(f"  {row}")
    for row in plain:
        print(f"  baseline: {row}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--homes", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--fetches", type=int, default=3)
    args: Any = parser.parse_args()
    asyncio.run(main(args.homes, args.concurrency, args.fetches))
