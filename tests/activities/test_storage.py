import asyncio
import hashlib
from pathlib import Path

import pytest
from minio import Minio

from inspraak.activities.storage import DocumentStore, LocalDocumentStore, ObjectNotFoundError, build_store
from inspraak.activities.storage_s3 import S3DocumentStore
from inspraak.domain.documents import document_id, storage_key
from inspraak.settings import Settings

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KEY = storage_key(document_id("adv-2027-001", "adviesaanvraag"))
METADATA = {
    "trajectory": "adv-2027-001",
    "organisation": "ho-de-linde",
    "document-type": "adviesaanvraag",
    "template-version": "3",
}


# ---- local backend -------------------------------------------------------------------------------


async def test_local_put_then_get_and_stat_return_what_was_stored(local_store: LocalDocumentStore) -> None:
    stored = await local_store.put(KEY, b"letter", content_type=DOCX, metadata=METADATA)

    assert await local_store.get(KEY) == b"letter"
    assert await local_store.stat(KEY) == stored
    assert stored.metadata == METADATA
    assert stored.size == 6
    assert stored.sha256 == hashlib.sha256(b"letter").hexdigest()


async def test_local_put_of_the_same_key_overwrites_leaving_one_object(
    local_store: LocalDocumentStore, tmp_path: Path
) -> None:
    await local_store.put(KEY, b"first", content_type=DOCX, metadata=METADATA)
    await local_store.put(KEY, b"second", content_type=DOCX, metadata={**METADATA, "template-version": "4"})

    assert await local_store.get(KEY) == b"second"
    assert (await local_store.stat(KEY)).metadata["template-version"] == "4"
    files = sorted(p.name for p in (tmp_path / "documents").rglob("*") if p.is_file())
    assert files == ["adviesaanvraag.docx", "adviesaanvraag.docx.meta.json"]


async def test_local_get_of_a_missing_key_raises_object_not_found(local_store: LocalDocumentStore) -> None:
    with pytest.raises(ObjectNotFoundError):
        await local_store.get("trajectories/none/step.docx")


async def test_local_stat_of_a_missing_key_raises_object_not_found(local_store: LocalDocumentStore) -> None:
    with pytest.raises(ObjectNotFoundError):
        await local_store.stat("trajectories/none/step.docx")


@pytest.mark.parametrize("key", ["../outside.docx", "trajectories/../../outside.docx", "/etc/passwd", ""])
async def test_local_key_escaping_the_folder_is_refused(local_store: LocalDocumentStore, key: str) -> None:
    with pytest.raises(ValueError, match="escapes"):
        await local_store.put(key, b"x", content_type=DOCX, metadata={})


async def test_local_metadata_keys_are_lower_cased(local_store: LocalDocumentStore) -> None:
    await local_store.put(KEY, b"x", content_type=DOCX, metadata={"Document-Type": "herinnering"})

    assert (await local_store.stat(KEY)).metadata == {"document-type": "herinnering"}


@pytest.mark.parametrize("key", ["template_version", "sha256", "met spatie"])
async def test_metadata_keys_that_s3_would_not_keep_are_refused(
    local_store: LocalDocumentStore, key: str
) -> None:
    with pytest.raises(ValueError, match="metadata key"):
        await local_store.put(KEY, b"x", content_type=DOCX, metadata={key: "1"})


# ---- S3 backend (moto's server over HTTP, the real minio client) -----------------------------------


async def test_s3_put_creates_the_missing_bucket(
    s3_client: Minio, s3_bucket: str, s3_store: S3DocumentStore
) -> None:
    assert not s3_client.bucket_exists(s3_bucket)

    await s3_store.put(KEY, b"letter", content_type=DOCX, metadata=METADATA)

    assert s3_client.bucket_exists(s3_bucket)


async def test_s3_put_with_the_bucket_already_there_succeeds(
    s3_client: Minio, s3_bucket: str, s3_store: S3DocumentStore
) -> None:
    s3_client.make_bucket(s3_bucket)

    await s3_store.put(KEY, b"letter", content_type=DOCX, metadata=METADATA)

    assert await s3_store.get(KEY) == b"letter"


def eu_client(endpoint: str, cls: type[Minio] = Minio) -> Minio:
    # Outside us-east-1 a second create answers 409 BucketAlreadyOwnedByYou, as MinIO does.
    return cls(endpoint, access_key="testing", secret_key="testing", secure=False, region="eu-west-1")


async def test_s3_put_succeeds_when_another_worker_creates_the_bucket_first(
    moto_server: str, s3_bucket: str
) -> None:
    other_worker = eu_client(moto_server)

    class LosesTheRace(Minio):
        def bucket_exists(self, bucket_name: str) -> bool:
            exists = super().bucket_exists(bucket_name)
            if not exists:
                other_worker.make_bucket(bucket_name)  # between our check and our create
            return exists

    store = S3DocumentStore(eu_client(moto_server, LosesTheRace), s3_bucket)

    await store.put(KEY, b"letter", content_type=DOCX, metadata=METADATA)

    assert await S3DocumentStore(other_worker, s3_bucket).get(KEY) == b"letter"


async def test_s3_roundtrip_keeps_content_and_metadata(s3_store: S3DocumentStore) -> None:
    stored = await s3_store.put(KEY, b"letter", content_type=DOCX, metadata=METADATA)

    assert await s3_store.get(KEY) == b"letter"
    stat = await s3_store.stat(KEY)
    assert stat == stored
    assert stat.metadata == METADATA
    assert stat.content_type == DOCX
    assert stat.size == 6
    assert stat.sha256 == hashlib.sha256(b"letter").hexdigest()


async def test_s3_sha256_is_kept_as_user_metadata(
    s3_client: Minio, s3_bucket: str, s3_store: S3DocumentStore
) -> None:
    stored = await s3_store.put(KEY, b"letter", content_type=DOCX, metadata=METADATA)

    headers = {k.lower(): v for k, v in (s3_client.stat_object(s3_bucket, KEY).metadata or {}).items()}
    assert headers["x-amz-meta-sha256"] == stored.sha256
    assert headers["x-amz-meta-document-type"] == "adviesaanvraag"


async def test_s3_metadata_keys_come_back_lower_cased(s3_store: S3DocumentStore) -> None:
    await s3_store.put(KEY, b"x", content_type=DOCX, metadata={"Template-Version": "3"})

    assert (await s3_store.stat(KEY)).metadata == {"template-version": "3"}


async def test_s3_non_ascii_metadata_values_come_back_unchanged(s3_store: S3DocumentStore) -> None:
    metadata = {"title": "Reactie op advies – Complex Zuidwijk", "note": " 100% zeker ", "empty": ""}

    await s3_store.put(KEY, b"x", content_type=DOCX, metadata=metadata)

    assert (await s3_store.stat(KEY)).metadata == metadata


async def test_s3_put_of_the_same_key_overwrites_leaving_one_object(
    s3_client: Minio, s3_bucket: str, s3_store: S3DocumentStore
) -> None:
    await s3_store.put(KEY, b"first", content_type=DOCX, metadata=METADATA)
    second = await s3_store.put(KEY, b"second", content_type=DOCX, metadata=METADATA)

    assert await s3_store.get(KEY) == b"second"
    assert (await s3_store.stat(KEY)).sha256 == second.sha256
    assert [o.object_name for o in s3_client.list_objects(s3_bucket, recursive=True)] == [KEY]


async def test_s3_get_of_a_missing_key_raises_object_not_found(s3_store: S3DocumentStore) -> None:
    await s3_store.put(KEY, b"x", content_type=DOCX, metadata={})

    with pytest.raises(ObjectNotFoundError):
        await s3_store.get("trajectories/none/step.docx")


async def test_s3_stat_of_a_missing_key_raises_object_not_found(s3_store: S3DocumentStore) -> None:
    await s3_store.put(KEY, b"x", content_type=DOCX, metadata={})

    with pytest.raises(ObjectNotFoundError):
        await s3_store.stat("trajectories/none/step.docx")


async def test_s3_get_before_the_bucket_exists_raises_object_not_found(s3_store: S3DocumentStore) -> None:
    with pytest.raises(ObjectNotFoundError):
        await s3_store.get(KEY)


# ---- choosing the backend ------------------------------------------------------------------------


def test_build_store_defaults_to_local_files(tmp_path: Path) -> None:
    store = build_store(Settings(data_dir=tmp_path))

    assert isinstance(store, LocalDocumentStore)


def test_build_store_chooses_s3_with_the_configured_bucket(tmp_path: Path) -> None:
    store = build_store(Settings(data_dir=tmp_path, storage_backend="s3", s3_bucket="brieven"))

    assert isinstance(store, S3DocumentStore)
    assert store.bucket == "brieven"


# ---- create only if absent (both backends; S3 over HTTP to moto's server) ---------------------------


@pytest.fixture(params=["local", "s3"])
def either_store(request: pytest.FixtureRequest) -> DocumentStore:
    store: DocumentStore = request.getfixturevalue(f"{request.param}_store")
    return store


async def test_create_writes_once_and_refuses_a_second_write_of_the_key(either_store: DocumentStore) -> None:
    assert await either_store.create("portal/marker", b"first", content_type="text/plain", metadata={"until": "1"})
    assert not await either_store.create("portal/marker", b"second", content_type="text/plain",
                                         metadata={"until": "2"})

    assert await either_store.get("portal/marker") == b"first"
    assert (await either_store.stat("portal/marker")).metadata["until"] == "1"


async def test_of_many_creates_of_one_key_at_the_same_time_exactly_one_wins(either_store: DocumentStore) -> None:
    """Two presses of one login link at the same instant: one session, not two."""
    won = await asyncio.gather(*(either_store.create("portal/race", str(n).encode(), content_type="text/plain",
                                                     metadata={}) for n in range(8)))

    assert sum(won) == 1
    assert await either_store.get("portal/race") == str(won.index(True)).encode()
