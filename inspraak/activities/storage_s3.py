"""The S3 API backend of the document store (MinIO, or any S3 store), over minio-py.

Metadata goes as user metadata (``x-amz-meta-*``), percent-quoted so that any text survives as an ASCII header;
errors of a store that is down become :class:`StoreUnavailableError`, as the local backend's would.
"""

import asyncio
import hashlib
import io
import os
import string
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import quote, unquote

import certifi
import urllib3
from minio import Minio
from minio.error import S3Error, ServerError
from minio.helpers import DictType

from inspraak.activities.storage import (
    ObjectNotFoundError,
    StoredObject,
    StoreUnavailableError,
    normalise_metadata,
)
from inspraak.settings import Settings

# The S3 error codes of a store that is there but not working (rather than of a bad request).
_UNAVAILABLE_CODES = frozenset({"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"})

T = TypeVar("T")


@contextmanager
def _store_errors(what: str) -> Iterator[None]:
    try:
        yield
    except S3Error as e:
        if e.code in _UNAVAILABLE_CODES:
            raise StoreUnavailableError(f"object store: {what}: {e.code}") from e
        raise
    except (urllib3.exceptions.HTTPError, ServerError, OSError) as e:
        raise StoreUnavailableError(f"object store: {what}: {e}") from e


# Header values must be ASCII. Everything printable stays readable (in the MinIO console too); '%'
# itself is quoted so that unquoting is exact.
_SAFE_IN_HEADER = "".join(c for c in string.printable if c not in "%\t\n\r\x0b\x0c")
_META_PREFIX = "x-amz-meta-"


def _encode_metadata_value(value: str) -> str:
    encoded = quote(value, safe=_SAFE_IN_HEADER)
    # HTTP strips leading and trailing white space from header values.
    if encoded.startswith(" "):
        encoded = "%20" + encoded[1:]
    if encoded.endswith(" "):
        encoded = encoded[:-1] + "%20"
    return encoded


def _user_metadata(obj: StoredObject) -> DictType:
    """The object's metadata and sha256 as S3 user metadata headers."""
    headers: DictType = {_META_PREFIX + k: _encode_metadata_value(v) for k, v in obj.metadata.items()}
    headers[_META_PREFIX + "sha256"] = obj.sha256
    return headers


def _decode_metadata_value(value: str) -> str:
    return unquote(value)


class S3DocumentStore:
    """Documents as objects in one bucket of an S3 API store, metadata as user metadata (``x-amz-meta-*``).

    The bucket is created on the first ``put`` when it is missing. The minio client blocks, so every call
    runs in a worker thread.
    """

    def __init__(self, client: Minio, bucket: str) -> None:
        self._client = client
        self._bucket = bucket
        self._bucket_ready = False
        # A threading lock, not an asyncio one: the check runs in worker threads, and one store may be
        # used from more than one event loop (tests, the API's thread pool).
        self._bucket_lock = threading.Lock()

    @property
    def bucket(self) -> str:
        return self._bucket

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        with self._bucket_lock:
            if self._bucket_ready:
                return
            if not self._client.bucket_exists(self._bucket):
                try:
                    self._client.make_bucket(self._bucket)
                except S3Error as e:
                    # Another worker created it between our check and our create.
                    if e.code == "BucketAlreadyOwnedByYou":
                        pass
                    elif e.code == "BucketAlreadyExists" and self._client.bucket_exists(self._bucket):
                        pass
                    else:
                        raise
            self._bucket_ready = True

    async def put(
        self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]
    ) -> StoredObject:
        obj = StoredObject(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                           content_type=content_type, metadata=normalise_metadata(metadata))
        await asyncio.to_thread(self._put, obj, data)
        return obj

    async def create(self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]) -> bool:
        obj = StoredObject(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                           content_type=content_type, metadata=normalise_metadata(metadata))
        return await asyncio.to_thread(self._create, obj, data)

    def _create(self, obj: StoredObject, data: bytes) -> bool:
        """A conditional PutObject (``If-None-Match: *``, S3 and MinIO since 2024): the server refuses it with
        412 when the key exists. minio-py's ``put_object`` passes no such header, hence its ``_put_object``
        (minio is pinned in constraints.txt)."""
        with _store_errors(f"create {obj.key}"):
            self._ensure_bucket()
            headers = {**_user_metadata(obj), "Content-Type": obj.content_type, "If-None-Match": "*"}
            try:
                self._client._put_object(self._bucket, obj.key, data, headers)
            except S3Error as e:
                # 412: the key exists; 409: another conditional write of it is under way (AWS), which wins or won.
                if e.code in ("PreconditionFailed", "ConditionalRequestConflict"):
                    return False
                raise
        return True

    def _put(self, obj: StoredObject, data: bytes) -> None:
        with _store_errors(f"put {obj.key}"):
            self._put_object(obj, data)

    def _put_object(self, obj: StoredObject, data: bytes) -> None:
        self._ensure_bucket()
        headers = _user_metadata(obj)
        try:
            self._client.put_object(self._bucket, obj.key, io.BytesIO(data), len(data),
                                    content_type=obj.content_type, metadata=headers)
        except S3Error as e:
            if e.code == "NoSuchBucket":
                # Deleted behind our back: let the retry create it again.
                self._bucket_ready = False
            raise

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(_guarded, f"get {key}", self._get, key)

    def _get(self, key: str) -> bytes:
        try:
            response = self._client.get_object(self._bucket, key)
        except S3Error as e:
            if e.code in ("NoSuchKey", "NoSuchBucket"):
                raise ObjectNotFoundError(key) from e
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    async def stat(self, key: str) -> StoredObject:
        return await asyncio.to_thread(_guarded, f"stat {key}", self._stat, key)

    def _stat(self, key: str) -> StoredObject:
        try:
            info = self._client.stat_object(self._bucket, key)
        except S3Error as e:
            if e.code in ("NoSuchKey", "NoSuchBucket"):
                raise ObjectNotFoundError(key) from e
            raise
        metadata: dict[str, str] = {}
        for name, value in (info.metadata or {}).items():
            name = name.lower()
            if name.startswith(_META_PREFIX):
                metadata[name.removeprefix(_META_PREFIX)] = _decode_metadata_value(value)
        sha256 = metadata.pop("sha256", "")
        return StoredObject(key=key, size=info.size or 0, sha256=sha256,
                            content_type=info.content_type or "application/octet-stream", metadata=metadata)


    async def list_keys(self, prefix: str) -> list[str]:
        return await asyncio.to_thread(_guarded, f"list {prefix}", self._list_keys, prefix)

    def _list_keys(self, prefix: str) -> list[str]:
        try:
            return sorted(o.object_name for o in self._client.list_objects(self._bucket, prefix=prefix, recursive=True)
                          if o.object_name)
        except S3Error as e:
            if e.code == "NoSuchBucket":
                return []
            raise

    async def delete(self, key: str) -> bool:
        return await asyncio.to_thread(_guarded, f"delete {key}", self._delete, key)

    def _delete(self, key: str) -> bool:
        try:
            self._client.stat_object(self._bucket, key)
        except S3Error as e:
            if e.code in ("NoSuchKey", "NoSuchBucket"):
                return False
            raise
        self._client.remove_object(self._bucket, key)
        return True

    async def delete_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(_guarded, f"delete {prefix}*", self._delete_prefix, prefix)

    def _delete_prefix(self, prefix: str) -> int:
        try:
            keys = [o.object_name for o in self._client.list_objects(self._bucket, prefix=prefix, recursive=True)
                    if o.object_name]
        except S3Error as e:
            if e.code == "NoSuchBucket":
                return 0
            raise
        for key in keys:
            self._client.remove_object(self._bucket, key)
        return len(keys)


def _guarded(what: str, fn: Callable[[str], T], key: str) -> T:
    with _store_errors(what):
        return fn(key)


def s3_http_client(secure: bool) -> urllib3.PoolManager:
    """The HTTP client for the S3 store: a store that is down is reported in seconds, not minutes.

    minio's default waits up to five minutes per call and retries five times; a download would hang that
    long before its 503, and a render attempt would hold its worker slot.
    """
    tls: dict[str, Any] = {"cert_reqs": "CERT_REQUIRED", "ca_certs": os.environ.get("SSL_CERT_FILE") or certifi.where()}
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=3, read=60), maxsize=20,
        retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
        **(tls if secure else {}),
    )


def s3_store(settings: Settings) -> S3DocumentStore:
    """The S3 API store the settings name, with :func:`s3_http_client`'s short timeouts."""
    client = Minio(settings.s3_endpoint, access_key=settings.s3_access_key,
                   secret_key=settings.s3_secret_key.get_secret_value(), secure=settings.s3_secure,
                   region=settings.s3_region, http_client=s3_http_client(settings.s3_secure))
    return S3DocumentStore(client, settings.s3_bucket)
