"""Erasing a finished renovation's personal data from the document store and the mail copies (AVG art. 17).

The workflow says what to delete (``inspraak.domain.erasure.ErasurePlan``: keys, prefixes, household mail ids);
this activity deletes it and answers counts only. Deleting what is gone already is no error, so a retried
erasure finishes the work of an attempt that broke off.
"""

import asyncio
from pathlib import Path

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from inspraak.activities.mail import MailLedger
from inspraak.activities.register import load_manifest
from inspraak.activities.storage import DocumentStore, ObjectNotFoundError
from inspraak.domain.erasure import ErasurePlan


class ErasureResult(BaseModel):
    objects_deleted: int
    mail_copies_deleted: int


class ErasureActivities:
    """``outbox``: the folder of the outbox mailer (copies of every mail sent), None with SMTP (no copies kept)."""

    def __init__(self, store: DocumentStore, outbox: Path | None, ledger: MailLedger | None = None) -> None:
        self._store = store
        self._outbox = outbox
        self._ledger = ledger

    @activity.defn(name="erase_personal_data")
    async def erase_personal_data(self, plan: ErasurePlan) -> ErasureResult:
        deleted = 0
        for n, key in enumerate(plan.keys):
            deleted += await self._store.delete(key)
            if n % 100 == 0:
                activity.heartbeat(n)
        mail_ids = list(plan.mail_ids)
        for manifest in plan.manifests:
            try:
                letters = await load_manifest(self._store, manifest)
            except (ApplicationError, ObjectNotFoundError):  # deleted by an earlier attempt
                continue
            for ref in letters:
                deleted += await self._store.delete(ref.key)
                mail_ids.append(f"{ref.id}.household")
            activity.heartbeat(manifest.key)
            deleted += await self._store.delete(manifest.key)
        for prefix in plan.prefixes:
            deleted += await self._store.delete_prefix(prefix)
        mails = await asyncio.to_thread(self._delete_mail, mail_ids)
        return ErasureResult(objects_deleted=deleted, mail_copies_deleted=mails)

    def _delete_mail(self, mail_ids: list[str]) -> int:
        count = 0
        for message_id in mail_ids:
            if self._outbox is not None:
                path = self._outbox / f"{message_id}.eml"
                if path.exists():
                    path.unlink()
                    count += 1
            if self._ledger is not None:
                self._ledger.path(message_id).unlink(missing_ok=True)
        return count
