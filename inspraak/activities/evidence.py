"""The evidence export read from the store: the register and the documents an :class:`EvidenceRecord` names,
checked and packed by ``inspraak.domain.evidence``. Used by the API (``GET /v1/renovations/{id}/evidence``);
it runs outside workflows, since the ZIP holds tenants' names and must never pass through Temporal."""

import asyncio
from datetime import datetime

from inspraak.activities.register import load_manifest, load_register
from inspraak.activities.storage import DocumentStore, ObjectNotFoundError
from inspraak.domain.evidence import EvidenceRecord, build_evidence_zip, evidence_documents

# How many documents are read from the store at once (1,000 proposals per version for a large complex).
PARALLEL_READS = 16


async def evidence_zip(store: DocumentStore, record: EvidenceRecord, made_at: datetime, made_by: str) -> bytes:
    """The ZIP of ``record``: the register checked against its sha256; a document missing from the store is
    listed as missing (its recorded sha256 still shows), never silently left out.

    Raises:
        ApplicationError: the register is missing or changed (``load_register``).
        StoreUnavailableError: the store cannot be reached.
    """
    register = await load_register(store, record.register_ref)
    record = await with_household_letters(store, record)
    limit = asyncio.Semaphore(PARALLEL_READS)

    async def read(doc_id: str, key: str) -> tuple[str, bytes | None]:
        async with limit:
            try:
                return doc_id, await store.get(key)
            except ObjectNotFoundError:
                return doc_id, None

    found = await asyncio.gather(*(read(d.id, d.key) for d in record.needed_documents()))
    stored = {doc_id: data for doc_id, data in found if data is not None}
    return build_evidence_zip(record, register, stored, made_at, made_by)


async def with_household_letters(store: DocumentStore, record: EvidenceRecord) -> EvidenceRecord:
    """``record`` with the household letters its merges' manifests list: every proposal per version and every
    kennisgeving and every letter with a home's last day (the workflow keeps their count and the manifest's key,
    not a reference per home)."""
    versions = [v.model_copy(update={"letters": await load_manifest(store, v.manifest.manifest)})
                if v.manifest is not None else v for v in record.versions]
    notices = [d for m in record.notice_manifests for d in await load_manifest(store, m.manifest)]
    known = {d.id for d in record.documents}
    extra = [d for d in evidence_documents(notices, versions, record.notices) if d.id not in known]
    receipts = [d for m in record.receipt_manifests for d in await load_manifest(store, m.manifest)]
    return record.model_copy(update={"versions": versions, "documents": [*record.documents, *extra],
                                     "receipt_letters": receipts})
