"""A renovation's household register in the document store: written by the API, read by activities.

The register holds tenants' personal data (names, addresses, contact details), so it never travels
through Temporal: workflows carry its key and sha256 (:class:`RegisterRef`). It is staff-only, and its key
is no document id, so no document route can serve it.
"""

import hashlib
import json
from typing import Any

from temporalio.exceptions import ApplicationError

from inspraak.activities.storage import DocumentStore, ObjectNotFoundError
from inspraak.domain.documents import DocumentRef
from inspraak.domain.households import Households, RegisterKey, RegisterRef, register_key
from inspraak.domain.render_requests import StoredJson

JSON_CONTENT_TYPE = "application/json"


async def store_register(store: DocumentStore, trajectory_id: str, households: Households) -> RegisterRef:
    """Store ``households`` as the register of ``trajectory_id`` and answer its reference."""
    data = households.model_dump_json().encode("utf-8")
    key = register_key(trajectory_id)
    stored = await store.put(key, data, content_type=JSON_CONTENT_TYPE, metadata={
        "trajectory": trajectory_id, "visibility": "staff", "document-type": "register"})
    return RegisterRef(key=key, sha256=stored.sha256, unit_ids=[h.unit_id for h in households.households])


async def load_register(store: DocumentStore, ref: RegisterKey) -> Households:
    """The register ``ref`` names, checked against its sha256.

    Raises:
        ApplicationError: non-retryable, when it is missing or not the register the trajectory started with.
        Exception: storage errors propagate, to be retried.
    """
    try:
        data = await store.get(ref.key)
    except ObjectNotFoundError as e:
        raise ApplicationError(f"the household register {ref.key} is missing", type="RegisterMissing",
                               non_retryable=True) from e
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise ApplicationError(f"the household register {ref.key} changed since the trajectory started",
                               type="RegisterChanged", non_retryable=True)
    return Households.model_validate_json(data)


def manifest_key(trajectory_id: str, step_prefix: str) -> str:
    """Where a mail merge keeps the references of its household letters (staff only; no document id)."""
    return f"trajectories/{trajectory_id}/manifests/{step_prefix}.json"


async def store_json(store: DocumentStore, key: str, trajectory_id: str, content: dict[str, Any],
                     document_type: str = "figures") -> StoredJson:
    """Store personal figures or a merge's manifest (staff only) beside the register; workflows carry the
    answer (key and sha256), not the content."""
    stored = await store.put(key, json.dumps(content, sort_keys=True, default=str).encode("utf-8"),
                             content_type=JSON_CONTENT_TYPE,
                             metadata={"trajectory": trajectory_id, "visibility": "staff",
                                       "document-type": document_type})
    return StoredJson(key=key, sha256=stored.sha256)


async def load_json(store: DocumentStore, ref: StoredJson) -> dict[str, Any]:
    """The JSON object ``ref`` names, checked against its sha256.

    Raises:
        ApplicationError: non-retryable, when it is missing or changed.
    """
    try:
        data = await store.get(ref.key)
    except ObjectNotFoundError as e:
        raise ApplicationError(f"{ref.key} is missing", type="RegisterMissing", non_retryable=True) from e
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise ApplicationError(f"{ref.key} changed since it was stored", type="RegisterChanged", non_retryable=True)
    loaded: dict[str, Any] = json.loads(data)
    return loaded


async def load_manifest(store: DocumentStore, ref: StoredJson) -> list[DocumentRef]:
    """The household letters of a mail merge, as its manifest lists them (``MergedLetters.manifest``), in the
    order of the merge's units; checked against the sha256 the workflow keeps.

    Raises:
        ApplicationError: non-retryable, when the manifest is missing or changed.
    """
    content = await load_json(store, ref)
    return [DocumentRef.model_validate(entry) for entry in content["letters"]]
