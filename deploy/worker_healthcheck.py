"""A worker container's health check: exit 0 when a worker in this container polls Inspraak's task queue.

Temporal names a worker ``<pid>@<hostname>`` by default, so a poller whose identity ends with this
container's hostname is this container's worker. Reads the same ``INSPRAAK_*`` settings as the worker.
"""

import asyncio
import socket
import sys

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from inspraak.settings import Settings


async def polling_here(settings: Settings) -> bool:
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    suffix = "@" + socket.gethostname()
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        response = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace, task_queue=TaskQueue(name=settings.task_queue),
            task_queue_type=kind))
        if not any(p.identity.endswith(suffix) for p in response.pollers):
            return False
    return True


def main() -> int:
    try:
        healthy = asyncio.run(asyncio.wait_for(polling_here(Settings()), timeout=8))
    except Exception as e:  # unreachable server, timeout: unhealthy, and say why
        print(f"unhealthy: {e!r}", file=sys.stderr)
        return 1
    print("healthy" if healthy else f"unhealthy: no poller from {socket.gethostname()}", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
