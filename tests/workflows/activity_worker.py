"""A worker for activities only, in a process of its own: a test kills it halfway through a batch (SIGKILL).

Run: ``python -m tests.workflows.activity_worker <temporal target> <data dir> <task queue>``. It heartbeats to
the server every 200 ms (a production worker throttles to at most one a minute), so the server knows how far a
batch came before the kill; it prints ``ready`` once it polls.
"""

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from inspraak.services.worker.main import build_activities
from inspraak.settings import Settings


async def main(target: str, data_dir: str, task_queue: str) -> None:
    settings = Settings(data_dir=Path(data_dir), search_attributes=False, task_queue=task_queue)
    client = await Client.connect(target, data_converter=pydantic_data_converter)
    worker = Worker(client, task_queue=task_queue, activities=build_activities(settings),
                    max_heartbeat_throttle_interval=timedelta(milliseconds=200),
                    default_heartbeat_throttle_interval=timedelta(milliseconds=200))
    print("ready", flush=True)
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
