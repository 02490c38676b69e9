"""A worker killed (SIGKILL) halfway through the 1,000-letter invitation merge: when a worker comes back, the
merge resumes after its last heartbeat, and every household has exactly one letter (issue 8, "Scale and speed").

The activities run in a process of their own (``tests.workflows.activity_worker``), killed once about half of
the letters are stored; the workflow's worker stays up. The second worker gets the merge after its heartbeat
timeout; the letters the first attempt reported are not made again (their files keep their time), the others
are made again under their own keys (overwritten, not doubled)."""

import asyncio
import io
import re
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from docx import Document
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from inspraak.activities.register import load_manifest
from inspraak.activities.storage import LocalDocumentStore
from inspraak.domain.renovation_actions import Stopped
from inspraak.services.worker.main import WORKFLOWS, build_activities, kernel_config
from inspraak.settings import Settings
from inspraak.workflows.config import KernelConfigInterceptor
from inspraak.workflows.renovation import RenovationWorkflow
from tests.workflows.conftest import Stack
from tests.workflows.renovation_setup import end_renovation, invitation, start_renovation

ROOT = Path(__file__).resolve().parents[2]
HOMES = 1000
LETTER = re.compile(r"^01-uitnodiging_renovatie-(\d{4})\.docx$")


def letters(folder: Path) -> dict[str, int]:
    """The invitation letters stored so far: file name -> modification time (ns)."""
    if not folder.is_dir():
        return {}
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if LETTER.match(p.name)}


async def test_a_worker_killed_halfway_through_1000_letters_leaves_none_lost_and_none_doubled(
        env: WorkflowEnvironment, tmp_path: Path):
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"kill-{uuid.uuid4().hex[:8]}")
    target = env.client.service_client.config.target_host
    first = subprocess.Popen([sys.executable, "-m", "tests.workflows.activity_worker", target, str(tmp_path),
                              settings.task_queue], cwd=ROOT, stdout=subprocess.PIPE)
    assert first.stdout is not None and first.stdout.readline().strip() == b"ready"
    # The time-skipping server skips no time while an activity runs, so the killed worker's merge is noticed after
    # a heartbeat timeout in real time: 5 seconds here instead of 2 minutes.
    config = replace(kernel_config(settings), merge_heartbeat_timeout=timedelta(seconds=5))
    workflows = Worker(env.client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                       interceptors=[KernelConfigInterceptor(config)])
    async with workflows:
        handle = await start_renovation(env.client, settings, HOMES)
        stack = Stack(env, env.client, settings)
        invite = asyncio.create_task(handle.execute_update(RenovationWorkflow.invite,
                                                           invitation(await stack.today())))
        folder = settings.documents_dir / "trajectories" / handle.id
        for _ in range(6000):
            if len(letters(folder)) >= HOMES // 2:
                break
            await asyncio.sleep(0.02)
        first.kill()
        first.wait()
        before = letters(folder)
        assert HOMES // 2 <= len(before) < HOMES, "the worker was not killed halfway"

        async with Worker(env.client, task_queue=settings.task_queue, activities=build_activities(settings)):
            await asyncio.wait_for(invite, timeout=300)
            view = await handle.query(RenovationWorkflow.view)

            # None lost, none doubled: one letter per household, each under its own number.
            after = letters(folder)
            assert sorted(after) == [f"01-uitnodiging_renovatie-{n:04d}.docx" for n in range(1, HOMES + 1)]
            (merged,) = view.merges
            manifest = await load_manifest(LocalDocumentStore(settings.documents_dir), merged.manifest)
            assert merged.letters == HOMES and [d.household_id for d in manifest] == [
                f"301-{i:03d}" for i in range(1, HOMES + 1)]
            assert len({d.key for d in manifest}) == HOMES
            # Resumed after its heartbeat: a prefix of the letters stored before the kill was not made again.
            kept = sorted(name for name, mtime in before.items() if after[name] == mtime)
            assert len(kept) >= 100, f"only {len(kept)} letters kept: the retry did not resume from its heartbeat"
            assert kept == [f"01-uitnodiging_renovatie-{n:04d}.docx" for n in range(1, len(kept) + 1)]
            # The print file holds every letter once.
            assert view.invitation is not None and view.invitation.print_file is not None
            combined = Document(io.BytesIO((settings.documents_dir / view.invitation.print_file.key).read_bytes()))
            assert sum(1 for p in combined.paragraphs if p.text.startswith("Beste ")) == HOMES
            # The merge ran twice: the killed attempt and the one that resumed.
            history = await handle.fetch_history()
            attempts = [e.activity_task_started_event_attributes.attempt for e in history.events
                        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
                        and e.activity_task_started_event_attributes.attempt > 1]
            assert attempts == [2]
            print(f"killed after {len(before)} letters; {len(kept)} kept (reported by heartbeat), "
                  f"{HOMES - len(kept)} made by the second attempt")
            await handle.execute_update(RenovationWorkflow.stop, Stopped(reason="test finished"))
            await end_renovation(handle)
