"""Object storage for documents: the local filesystem (embedded default) or any S3 API store (MinIO).

Both backends keep, with every object, the metadata that says whose it is (trajectory, organisation,
document type, sha256, template version); the API authorises downloads on that metadata.

Metadata keys are lower-cased and limited to letters, digits and dashes, so that they survive as HTTP
header names (``x-amz-meta-<key>``) on every S3 store and every proxy in front of one; both backends
apply the same rule, so code that works on the local backend works on S3. Values may be any text.
"""

import asyncio
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from inspraak.settings import Settings


class ObjectNotFoundError(LookupError):
    """No object is stored under the key."""


class StoreUnavailableError(ConnectionError):
    """The store cannot be reached, or answers with a server error: it is down; later it may work."""


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

    async def create(self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]) -> bool:
        """Store ``data`` only if nothing is stored under ``key`` yet, in one step no other writer can split;
        False (and nothing written) when something is. A marker that may be set once (a login link used)."""
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

    async def create(self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]) -> bool:
        obj = StoredObject(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                           content_type=content_type, metadata=normalise_metadata(metadata))
        return await asyncio.to_thread(self._create, key, data, obj)

    def _create(self, key: str, data: bytes, obj: StoredObject) -> bool:
        # The bytes first, only if absent (a reader that lost finds the winner's bytes at once); the metadata
        # follows (``create`` is for markers, whose metadata authorises nothing).
        if not write_atomically(self._path(key), data, exclusive=True):
            return False
        write_atomically(self._meta_path(key), obj.model_dump_json(indent=2).encode("utf-8"))
        return True

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


def write_atomically(path: Path, data: bytes, *, exclusive: bool = False) -> bool:
    """Write ``data`` to ``path`` so that no reader ever sees half of it. With ``exclusive``, only if nothing is
    at ``path`` yet: False (and nothing written) when something is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique temporary name in the same folder, then rename: a reader never sees half a file, and two
    # writers of the same key (a retried activity racing its first attempt) never share a temporary file.
    # Exclusive: a hard link instead of the rename, which fails when the name exists, so of two writers
    # exactly one wins (a rename would let both).
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if not exclusive:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)


def build_store(settings: Settings) -> DocumentStore:
    """The document store the settings choose: local files (embedded default) or an S3 API store."""
    if settings.storage_backend == "s3":
        from inspraak.activities.storage_s3 import s3_store  # that module imports this one

        return s3_store(settings)
    return LocalDocumentStore(settings.documents_dir)
