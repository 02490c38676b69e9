"""Documents: metadata and the .docx itself, for staff and for the organisation they belong to."""

from urllib.parse import quote

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from inspraak.activities.storage import DocumentStore, ObjectNotFoundError, StoredObject
from inspraak.domain.documents import DOCUMENT_ID, PDF_CONTENT_TYPE, storage_key
from inspraak.domain.uploads import EXTENSIONS
from inspraak.services.api.auth import Principal
from inspraak.services.api.deps import CurrentPrincipal, StoreDep, get_principal
from inspraak.services.api.errors import NotFound

router = APIRouter(dependencies=[Depends(get_principal)])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocumentMetadata(BaseModel):
    id: str
    title: str
    type: str
    trajectory_id: str
    organisation_id: str
    sha256: str
    size: int
    template_version: str
    content: str


async def visible_document(store: DocumentStore, document_id: str, principal: Principal) -> StoredObject:
    """The stored object if the caller may see it; 404 alike for missing and not-yours."""
    if not DOCUMENT_ID.match(document_id):
        raise NotFound("no such document")
    try:
        obj = await store.stat(storage_key(document_id))
    except ObjectNotFoundError as e:
        raise NotFound("no such document") from e
    # A document without the visibility mark (made before it existed) is read as staff-only: the safe side.
    if not principal.may_read(obj.metadata.get("organisation", ""), obj.metadata.get("visibility", "staff")):
        raise NotFound("no such document")
    return obj


@router.get("/{document_id}", response_model=DocumentMetadata, summary="A document's metadata")
async def get_document(document_id: str, principal: CurrentPrincipal, store: StoreDep) -> DocumentMetadata:
    obj = await visible_document(store, document_id, principal)
    m = obj.metadata
    return DocumentMetadata(id=document_id, title=m.get("title", ""), type=m.get("document-type", ""),
                            trajectory_id=m.get("trajectory", ""), organisation_id=m.get("organisation", ""),
                            sha256=obj.sha256, size=obj.size, template_version=m.get("template-version", ""),
                            content=f"/v1/documents/{document_id}/content")


@router.get("/{document_id}/content", summary="Download the document (.docx, or .pdf for an upload)",
            responses={200: {"content": {DOCX: {}, PDF_CONTENT_TYPE: {}}}})
async def get_document_content(document_id: str, principal: CurrentPrincipal, store: StoreDep) -> Response:
    return await download(store, document_id, principal)


async def download(store: DocumentStore, document_id: str, principal: Principal) -> Response:
    """The document as an attachment, if the caller may read it (404 otherwise); the API's and the portal's."""
    return await attachment(store, await visible_document(store, document_id, principal))


async def attachment(store: DocumentStore, obj: StoredObject) -> Response:
    """A stored document as a download named after its trajectory and title (the API's and the portal's)."""
    data = await store.get(obj.key)
    title = obj.metadata.get("title", "document")
    extension = EXTENSIONS.get(obj.content_type, "docx")
    filename = f"{obj.metadata.get('trajectory', '').upper()} {title}.{extension}".strip()
    # RFC 6266: an ASCII fallback plus the UTF-8 name, so titles with Dutch characters survive.
    fallback = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=obj.content_type or DOCX,
                    headers={"Content-Disposition": disposition, "ETag": f'"{obj.sha256}"'})
