"""Object storage for documents: the local filesystem (embedded default) or any S3 API store (MinIO).

Both backends keep, with every object, the metadata that says whose it is (trajectory, organisation,
document type, sha256, template version); the API authorises downloads on that metadata.
"""

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel


class ObjectNotFoundError(LookupError):
    """No object is stored under the key."""


class StoredObject(BaseModel):
    key: str
    size: int
    sha256: str
    content_type: str
    metadata: dict[str, str]


class DocumentStore(Protocol):
    """Where documents are kept. Keys are deterministic, so ``put`` of the same key overwrites."""

    async def put(self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]) -> StoredObject:
        ...

    async def get(self, key: str) -> bytes:
        ...

    async def stat(self, key: str) -> StoredObject:
        ...


class LocalDocumentStore:
    """Documents as files under ``root``, each with a ``.meta.json`` beside it."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, key: str) -> Path:
        path = (self._root / key).resolve()
        if self._root.resolve() not in path.parents:
            raise ValueError(f"key escapes the storage folder: {key!r}")
        return path

    async def put(self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]) -> StoredObject:
        obj = StoredObject(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                           content_type=content_type, metadata=metadata)
        await asyncio.to_thread(self._write, key, data, obj)
        return obj

    def _write(self, key: str, data: bytes, obj: StoredObject) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half a document.
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        meta = path.with_name(path.name + ".meta.json")
        meta.write_text(obj.model_dump_json(indent=2), encoding="utf-8")

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as e:
            raise ObjectNotFoundError(key) from e

    async def stat(self, key: str) -> StoredObject:
        meta = self._path(key).with_name(self._path(key).name + ".meta.json")
        try:
            raw = await asyncio.to_thread(meta.read_text, encoding="utf-8")
        except FileNotFoundError as e:
            raise ObjectNotFoundError(key) from e
        return StoredObject.model_validate(json.loads(raw))
