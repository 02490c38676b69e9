"""A file someone hands in (.docx or .pdf, known by its content), stored once per content under the
trajectory it belongs to, readable by that trajectory's organisation. The advice request's uploads and the
renovation's projectplan and sociaal plan both come in this way."""

import hashlib
from datetime import UTC, datetime

from inspraak.activities.storage import DocumentStore
from inspraak.domain.documents import (
    UPLOAD_STEP_PREFIX,
    DocumentRef,
    DocumentType,
    Visibility,
    document_id,
    storage_key,
)
from inspraak.domain.uploads import sniff
from inspraak.services.api.errors import InvalidInput


def checked_upload(data: bytes) -> str:
    """The content type of a Word document or PDF; a 400 for anything else."""
    content_type = sniff(data)
    if content_type is None:
        raise InvalidInput.field("body", "unsupported_file", "only a Word document (.docx) or a PDF is accepted; "
                                 "its content decides, not its name")
    return content_type


def upload_id(trajectory_id: str, data: bytes) -> str:
    """The same file handed in twice is one document: its id derives from its content."""
    return document_id(trajectory_id, f"{UPLOAD_STEP_PREFIX}{hashlib.sha256(data).hexdigest()[:16]}")


async def store_upload(store: DocumentStore, trajectory_id: str, organisation_id: str, data: bytes,
                       content_type: str, title: str) -> DocumentRef:
    """Store the file (the organisation's to read as well as staff's) and answer its reference."""
    doc_id = upload_id(trajectory_id, data)
    visibility = Visibility.ORGANISATION  # an original letter, an attachment, a plan: the organisation's as well
    stored = await store.put(storage_key(doc_id), data, content_type=content_type, metadata={
        "trajectory": trajectory_id, "organisation": organisation_id, "visibility": visibility.value,
        "document-type": DocumentType.UPLOAD.value, "title": title, "template-version": "",
    })
    return DocumentRef(id=doc_id, type=DocumentType.UPLOAD, title=title, trajectory_id=trajectory_id,
                       organisation_id=organisation_id, visibility=visibility, key=stored.key, sha256=stored.sha256,
                       size=stored.size, template_version="", created_at=datetime.now(UTC), content_type=content_type)
