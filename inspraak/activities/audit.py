"""The audit trail's one activity: a batch of entries written append-only to the document store.

Each batch is one JSON object named by its first and last sequence number
(``trajectories/<id>/audit/00000007-00000009.json``): a retried write writes the same bytes under the same
key, so nothing is lost or doubled; with S3 versioning and object lock (the compose file's bucket) no entry
can be changed or removed afterwards. The entries come from the workflow, free of tenants' personal data.
"""

import asyncio

from pydantic import TypeAdapter
from temporalio import activity

from inspraak.activities.storage import DocumentStore
from inspraak.domain.audit import AuditBatch, AuditEntry, audit_prefix, batch_key, ordered

_ENTRIES = TypeAdapter(list[AuditEntry])

AUDIT_CONTENT_TYPE = "application/json"


class AuditActivities:
    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    @activity.defn(name="record_audit")
    async def record_audit(self, batch: AuditBatch) -> str:
        """Store ``batch``; answers its key. Storage errors propagate and are retried by the workflow's policy."""
        data = ("[" + ",\n".join(e.model_dump_json() for e in batch.entries) + "]\n").encode("utf-8")
        await self._store.put(batch_key(batch), data, content_type=AUDIT_CONTENT_TYPE,
                              metadata={"trajectory": batch.trajectory_id, "organisation": batch.organisation_id,
                                        "kind": "audit", "visibility": "staff"})
        return batch_key(batch)


# Reading many small objects from an S3 store: a few at a time, in parallel.
READ_CONCURRENCY = 16


async def read_audit(store: DocumentStore, trajectory_id: str) -> list[AuditEntry]:
    """Every entry of a trajectory's audit trail (the workflow's batches and the API's refusals), in order."""
    keys = await store.list_keys(audit_prefix(trajectory_id))
    gate = asyncio.Semaphore(READ_CONCURRENCY)

    async def read(key: str) -> list[AuditEntry]:
        async with gate:
            data = await store.get(key)
        return _ENTRIES.validate_json(data)

    batches = await asyncio.gather(*(read(k) for k in keys if k.endswith(".json")))
    return ordered([e for batch in batches for e in batch])
