"""The audit activity and its reader on both store backends: batches append-only by sequence, read back in order;
a retried write writes the same object; the CSV export is spreadsheet-safe."""

from datetime import UTC, datetime, timedelta

import pytest
from temporalio.testing import ActivityEnvironment

from inspraak.activities.audit import AuditActivities, read_audit
from inspraak.activities.storage import DocumentStore, LocalDocumentStore
from inspraak.activities.storage_s3 import S3DocumentStore
from inspraak.domain import audit
from inspraak.domain.audit import AuditBatch, AuditEntry, AuditUser

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def entry(n: int, **fields: object) -> AuditEntry:
    return AuditEntry(**({
        "id": f"adv-2027-abc.{n:08d}", "sequence": n, "application": audit.APPLICATION_API,
        "trajectory_id": "adv-2027-abc", "trajectory_type": "advice_request", "organisation_id": "hv-eendracht",
        "user": AuditUser(id="sanne", name="Sanne", role="staff"), "action": "confirm_receipt", "result": 200,
        "resource": "trajectory", "resource_id": "adv-2027-abc", "at": T0 + timedelta(minutes=n)} | fields))


def batch(*numbers: int) -> AuditBatch:
    return AuditBatch(trajectory_id="adv-2027-abc", organisation_id="hv-eendracht",
                      entries=[entry(n) for n in numbers])


@pytest.mark.parametrize("backend", ["local", "s3"])
async def test_batches_are_written_by_sequence_and_read_back_in_order(
        backend: str, local_store: LocalDocumentStore, s3_store: S3DocumentStore):
    store: DocumentStore = local_store if backend == "local" else s3_store
    env = ActivityEnvironment()
    activities = AuditActivities(store)
    keys = [await env.run(activities.record_audit, batch(4, 5)), await env.run(activities.record_audit, batch(1, 2, 3))]
    again = await env.run(activities.record_audit, batch(4, 5))  # a retry: the same key, the same bytes
    assert keys[0] == again == "trajectories/adv-2027-abc/audit/00000004-00000005.json"
    await store.put("trajectories/adv-2027-abc/documents/x.docx", b"x", content_type="x", metadata={})
    assert await store.list_keys(audit.audit_prefix("adv-2027-abc")) == sorted(keys)
    assert [e.sequence for e in await read_audit(store, "adv-2027-abc")] == [1, 2, 3, 4, 5]
    assert await read_audit(store, "adv-2027-other") == []


def test_a_cell_a_spreadsheet_would_run_is_quoted():
    record = entry(1, explanation="=HYPERLINK(\"x\")").view(lambda _: True, detail=True)
    row = audit.to_csv([record]).splitlines()[1]
    assert "'=HYPERLINK" in row
