"""Large payloads go to the object store, with a reference in Temporal's history (the claim-check pattern).

Every input, update, result and continue-as-new of a trajectory passes through the data converter. A
payload above a threshold (long texts people write: a motivation, an intention, minutes) is stored in the
document store under its hash, and Temporal keeps only the key; decoding reads it back. So no workflow
input, update or state comes near Temporal's payload limit, whatever people write within the API's
bounds, and the history stays small. Stored payloads are immutable (content-addressed): a retry writes
the same object again.
"""

import dataclasses
import hashlib
from collections.abc import Sequence

from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from inspraak.activities.storage import DocumentStore, build_store
from inspraak.settings import Settings

CLAIM_CHECK = b"inspraak/claim-check"
KEY_PREFIX = "payloads/"


class ClaimCheckCodec(PayloadCodec):
    """Stores payloads larger than ``threshold`` bytes in ``store`` and passes their key instead."""

    def __init__(self, store: DocumentStore, threshold: int) -> None:
        self._store = store
        self._threshold = threshold

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for payload in payloads:
            data = payload.SerializeToString()
            if len(data) <= self._threshold:
                out.append(payload)
                continue
            key = KEY_PREFIX + hashlib.sha256(data).hexdigest()
            await self._store.put(key, data, content_type="application/x-protobuf",
                                  metadata={"kind": "temporal-payload"})
            out.append(Payload(metadata={"encoding": CLAIM_CHECK}, data=key.encode()))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding") != CLAIM_CHECK:
                out.append(payload)
                continue
            key = payload.data.decode()
            if not key.startswith(KEY_PREFIX):
                raise ValueError(f"not a claim-check key: {key!r}")
            out.append(Payload.FromString(await self._store.get(key)))
        return out


def data_converter(settings: Settings, store: DocumentStore | None = None) -> DataConverter:
    """The pydantic data converter, with large payloads kept in the document store."""
    codec = ClaimCheckCodec(store or build_store(settings), settings.payload_inline_bytes)
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)
