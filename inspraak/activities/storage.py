"""Object storage for documents: the local filesystem (embedded default) or any S3 API store (MinIO).

Both backends keep, with every object, the metadata that says whose it is (trajectory, organisation,
document type, sha256, template version); the API authorises downloads on that metadata.

Metadata keys are lower-cased and limited to letters, digits and dashes, so that they survive as HTTP
header names (``x-amz-meta-<key>``) on every S3 store and every proxy in front of one; both backends
apply the same rule, so code that works on the local backend works on S3. Values may be any text.
"""

import asyncio
import hashlib
import io
import json
import os
import re
import string
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, unquote

import certifi
import urllib3
from minio import Minio
from minio.error import S3Error, ServerError
from minio.helpers import DictType
from pydantic import BaseModel

from inspraak.settings import Settings


class ObjectNotFoundError(LookupError):
    """No object is stored under the key."""


class StoreUnavailableError(ConnectionError):
    """The store cannot be reached, or answers with a server error: it is down; later it may work."""


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


class StoredObject(BaseModel):
    key: str
    size: int
    sha256: str
    content_type: str
    metadata: dict[str, str]


class DocumentStore(Protocol):
    """Where documents are kept. Keys are deterministic, so ``put`` of the same key overwrites."""

    async def put(
        self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]
    ) -> StoredObject:
        ...

    async def get(self, key: str) -> bytes:
        ...

    async def stat(self, key: str) -> StoredObject:
        ...

    async def list_keys(self, prefix: str) -> list[str]:
        """The keys under ``prefix`` (a folder: ends in ``/``), sorted."""
        ...

    async def delete(self, key: str) -> bool:
        """Delete the object (and its metadata); False when there was none."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose key starts with ``prefix``; answers how many."""
        ...


_METADATA_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# The store computes the hash itself; a caller's value could only disagree with the bytes.
_RESERVED_METADATA_KEYS = frozenset({"sha256"})


def normalise_metadata(metadata: dict[str, str]) -> dict[str, str]:
    """Lower-case the keys and check them; raise ``ValueError`` for a key no S3 store keeps intact.

    Underscores are refused: WSGI servers and nginx (by default) drop or rewrite header names with them.
    """
    out: dict[str, str] = {}
    for key, value in metadata.items():
        norm = key.lower()
        if not _METADATA_KEY.match(norm):
            raise ValueError(
                f"metadata key {key!r} must be letters, digits and single dashes (e.g. 'document-type')"
            )
        if norm in _RESERVED_METADATA_KEYS:
            raise ValueError(f"metadata key {key!r} is reserved: the store sets it")
        if norm in out:
            raise ValueError(f"metadata key {key!r} given twice (keys are case-insensitive)")
        out[norm] = str(value)
    return out


class LocalDocumentStore:
    """Documents as files under ``root``, each with a ``.meta.json`` beside it."""

    _META_SUFFIX = ".meta.json"

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, key: str) -> Path:
        if key.endswith(self._META_SUFFIX):
            raise ValueError(f"key may not end in {self._META_SUFFIX!r}: {key!r}")
        path = (self._root / key).resolve()
        if self._root.resolve() not in path.parents:
            raise ValueError(f"key escapes the storage folder: {key!r}")
        return path

    def _meta_path(self, key: str) -> Path:
        path = self._path(key)
        return path.with_name(path.name + self._META_SUFFIX)

    async def put(
        self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]
    ) -> StoredObject:
        obj = StoredObject(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                           content_type=content_type, metadata=normalise_metadata(metadata))
        await asyncio.to_thread(self._write, key, data, obj)
        return obj

    def _write(self, key: str, data: bytes, obj: StoredObject) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Metadata first: a reader that finds the document also finds whose it is.
        write_atomically(self._meta_path(key), obj.model_dump_json(indent=2).encode("utf-8"))
        write_atomically(path, data)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as e:
            raise ObjectNotFoundError(key) from e

    async def stat(self, key: str) -> StoredObject:
        path, meta = self._path(key), self._meta_path(key)
        try:
            if not await asyncio.to_thread(path.is_file):
                raise ObjectNotFoundError(key)
            raw = await asyncio.to_thread(meta.read_text, encoding="utf-8")
        except FileNotFoundError as e:
            raise ObjectNotFoundError(key) from e
        return StoredObject.model_validate(json.loads(raw))

    async def list_keys(self, prefix: str) -> list[str]:
        folder = self._path(prefix.rstrip("/") + "/_").parent

        def keys() -> list[str]:
            if not folder.is_dir():
                return []
            root = self._root.resolve()
            return sorted(p.relative_to(root).as_posix() for p in folder.rglob("*")
                          if p.is_file() and not p.name.endswith(self._META_SUFFIX) and not p.name.startswith("."))

        return await asyncio.to_thread(keys)

    async def delete(self, key: str) -> bool:
        return await asyncio.to_thread(self._delete, key)

    def _delete(self, key: str) -> bool:
        path = self._path(key)
        self._meta_path(key).unlink(missing_ok=True)
        try:
            path.unlink()
            return True
        except FileNotFoundError:
            return False

    async def delete_prefix(self, prefix: str) -> int:
        def run() -> int:
            base = self._root.resolve()
            start = self._path(prefix.rsplit("/", 1)[0]) if "/" in prefix else base
            if not start.is_dir():
                return 0
            files = [p for p in start.rglob("*") if p.is_file() and not p.name.endswith(self._META_SUFFIX)
                     and p.relative_to(base).as_posix().startswith(prefix)]
            return sum(self._delete(p.relative_to(base).as_posix()) for p in files)

        return await asyncio.to_thread(run)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique temporary name in the same folder, then rename: a reader never sees half a file, and two
    # writers of the same key (a retried activity racing its first attempt) never share a temporary file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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

    def _put(self, obj: StoredObject, data: bytes) -> None:
        with _store_errors(f"put {obj.key}"):
            self._put_object(obj, data)

    def _put_object(self, obj: StoredObject, data: bytes) -> None:
        self._ensure_bucket()
        headers: DictType = {_META_PREFIX + k: _encode_metadata_value(v) for k, v in obj.metadata.items()}
        headers[_META_PREFIX + "sha256"] = obj.sha256
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


def build_store(settings: Settings) -> DocumentStore:
    """The document store the settings choose: local files (embedded default) or an S3 API store."""
    if settings.storage_backend == "s3":
        client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure,
            region=settings.s3_region,
            http_client=s3_http_client(settings.s3_secure),
        )
        return S3DocumentStore(client, settings.s3_bucket)
    return LocalDocumentStore(settings.documents_dir)
