"""The worker composed for production: documents in S3 (moto's server over HTTP, no MinIO build here)
and mail over SMTP (aiosmtpd on loopback), driven by a real advice request."""

import uuid
from pathlib import Path

from minio import Minio
from temporalio.testing import WorkflowEnvironment

from inspraak.activities.storage_s3 import S3DocumentStore
from inspraak.domain.advice_actions import Withdrawn
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from tests.activities.conftest import SmtpSink, moto_server, smtp_server  # noqa: F401  (fixtures)
from tests.workflows.conftest import Stack, finished, starter


async def test_a_request_stores_its_letter_in_s3_and_mails_it_over_smtp(
        env: WorkflowEnvironment, tmp_path: Path, moto_server: str, smtp_server: SmtpSink):  # noqa: F811
    bucket = f"inspraak-{uuid.uuid4().hex[:12]}"
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"prod-{uuid.uuid4().hex[:8]}",
                        storage_backend="s3", s3_endpoint=moto_server, s3_access_key="testing",
                        s3_secret_key="testing", s3_bucket=bucket, s3_region="us-east-1",
                        mail_backend="smtp", smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    stack = Stack(env, env.client, settings)
    async with build_worker(env.client, settings):
        handle = await starter(stack)()
        await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test"))
        await finished(handle)
        view = await handle.result()
    ref = view.documents[0]
    store = S3DocumentStore(Minio(moto_server, access_key="testing", secret_key="testing", secure=False,
                                  region="us-east-1"), bucket)
    stored = await store.stat(ref.key)
    assert stored.sha256 == ref.sha256
    assert stored.metadata["organisation"] == "sh-de-linde"
    assert stored.metadata["template-version"] == ref.template_version
    subjects = [m.message["Subject"] for m in smtp_server.messages]
    assert any(s.startswith("Adviesaanvraag") for s in subjects)
    attachments = [a.get_filename() for m in smtp_server.messages for a in m.message.iter_attachments()]
    assert any(name and name.endswith("Adviesaanvraag.docx") for name in attachments)
