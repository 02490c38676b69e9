"""Large payloads in the document store, their key in Temporal's history (claim check)."""

import uuid
from pathlib import Path

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from inspraak.activities.storage import LocalDocumentStore
from inspraak.domain.advice_actions import AdvicePoint, AdviceReceived, Withdrawn
from inspraak.services.payloads import CLAIM_CHECK, ClaimCheckCodec, data_converter
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from tests.activities.test_documents import letter_text
from tests.workflows.conftest import Stack, starter


async def test_a_small_payload_stays_inline_and_a_large_one_is_stored_by_its_hash(tmp_path: Path):
    store = LocalDocumentStore(tmp_path)
    codec = ClaimCheckCodec(store, threshold=1024)
    small, large = Payload(data=b"x" * 100), Payload(metadata={"encoding": b"json/plain"}, data=b"y" * 5000)
    encoded = await codec.encode([small, large])
    assert encoded[0] == small
    assert encoded[1].metadata["encoding"] == CLAIM_CHECK and len(encoded[1].data) < 100
    assert await codec.decode(encoded) == [small, large]
    assert len(list((tmp_path / "payloads").iterdir())) == 2  # the object and its metadata file


async def test_a_long_text_reaches_the_letter_while_the_history_keeps_only_a_key(env: WorkflowEnvironment,
                                                                                 tmp_path: Path):
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"cc-{uuid.uuid4().hex[:8]}",
                        payload_inline_bytes=1024)
    client = Client(env.client.service_client, namespace=env.client.namespace,
                    data_converter=data_converter(settings))
    async with build_worker(client, settings):
        stack = Stack(env, client, settings)
        handle = await starter(stack)()
        long_point = "Wij vragen u de werkzaamheden buiten het stookseizoen te plannen. " * 22  # ~1,450 chars
        await handle.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
            received_on=await stack.today(), points=[AdvicePoint(summary=long_point)]))
        await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test"))
        v = await handle.result()
    # The letter has the whole text; the history holds the key of the stored payload, not the text.
    letter = next(d for d in v.documents if d.type == "ontvangstbevestiging_advies")
    assert long_point.strip()[:200] in letter_text((settings.documents_dir / letter.key).read_bytes())
    raw = await env.client.get_workflow_handle(handle.id).fetch_history()
    accepted = next(e for e in raw.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    payload = accepted.workflow_execution_update_accepted_event_attributes.accepted_request.input.args.payloads[0]
    assert payload.metadata["encoding"] == CLAIM_CHECK
    assert b"stookseizoen" not in payload.data
