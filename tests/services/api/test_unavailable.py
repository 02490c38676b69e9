"""Temporal, its workers or the object store unreachable: a 503 problem with Retry-After, nothing started."""

import time
import uuid

import httpx
from moto.server import ThreadedMotoServer
from temporalio.testing import WorkflowEnvironment

from inspraak.activities.storage import build_store
from inspraak.domain.documents import storage_key
from inspraak.services.api.app import create_app
from inspraak.services.api.auth import Role, issue_token
from inspraak.settings import Settings
from tests.activities.conftest import free_port


async def test_temporal_unreachable_is_a_503_problem(tmp_path):
    settings = Settings(data_dir=tmp_path, temporal_address=f"127.0.0.1:{free_port()}")
    app = create_app(settings)
    token = issue_token(settings, role=Role.STAFF, subject="s", name="S", email="s@voorbeeldhaven.nl")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http:
        r = await http.get("/v1/trajectories", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert "nothing was changed" in r.json()["detail"]


async def test_a_trajectory_no_worker_answers_for_is_a_503_within_seconds(tmp_path, dev_env: WorkflowEnvironment):
    # A task queue no worker polls: the query waits for a worker that never comes.
    settings = Settings(data_dir=tmp_path, task_queue=f"nobody-{uuid.uuid4().hex[:8]}",
                        temporal_rpc_timeout_seconds=2)
    wf_id = f"adv-nobody-{uuid.uuid4().hex[:8]}"
    await dev_env.client.start_workflow("AdviceRequestWorkflow", {}, id=wf_id, task_queue=settings.task_queue)
    app = create_app(settings, client=dev_env.client)
    token = issue_token(settings, role=Role.STAFF, subject="s", name="S", email="s@voorbeeldhaven.nl")
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http:
            started = time.monotonic()
            r = await http.get(f"/v1/advice-requests/{wf_id}", headers={"Authorization": f"Bearer {token}"})
            took = time.monotonic() - started
    finally:
        await dev_env.client.get_workflow_handle(wf_id).terminate("test finished")
    assert r.status_code == 503, r.text
    assert took < 5
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["Retry-After"]) > 0
    assert "nothing was changed" in r.json()["detail"]


async def test_a_download_while_the_object_store_is_down_is_a_503_problem(tmp_path):
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    settings = Settings(data_dir=tmp_path, storage_backend="s3", s3_endpoint=f"127.0.0.1:{port}",
                        s3_access_key="testing", s3_secret_key="testing", s3_region="us-east-1",
                        s3_bucket=f"down-{uuid.uuid4().hex[:8]}")
    store = build_store(settings)
    doc_id = "adv-20270104-3f9a1c.01-adviesaanvraag"
    await store.put(storage_key(doc_id), b"PK letter", content_type="application/octet-stream",
                    metadata={"organisation": "hv-eendracht", "visibility": "organisation"})
    app = create_app(settings, store=store)
    token = issue_token(settings, role=Role.STAFF, subject="s", name="S", email="s@voorbeeldhaven.nl")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http:
        auth = {"Authorization": f"Bearer {token}"}
        assert (await http.get(f"/v1/documents/{doc_id}/content", headers=auth)).status_code == 200
        moto.stop()
        started = time.monotonic()
        r = await http.get(f"/v1/documents/{doc_id}/content", headers=auth)
        took = time.monotonic() - started
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/document-store-unavailable"
    assert int(r.headers["Retry-After"]) > 0
    assert took < 5
