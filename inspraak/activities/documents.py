"""The document activities: render one letter, a batch, or a mail merge, and store them under their keys.

The rendering itself is :mod:`inspraak.activities.rendering`; these activities give it its template (the
built-in one, an installation's override folder or the store) and keep what it made in the document store.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from inspraak.activities import metrics
from inspraak.activities.print_file import compose_letters
from inspraak.activities.register import load_json, load_register, manifest_key, store_json
from inspraak.activities.rendering import (
    DOCX_CONTENT_TYPE,
    DocumentRenderer,
    DocumentTemplateError,
)
from inspraak.activities.storage import DocumentStore, ObjectNotFoundError
from inspraak.domain.documents import DocumentRef, DocumentType, TemplateSource, Visibility, document_id, storage_key
from inspraak.domain.households import Households
from inspraak.domain.letter_contexts import LETTER_CONTEXTS, LETTER_TYPES
from inspraak.domain.merge import MERGE_BUILDERS, merge_context
from inspraak.domain.render_requests import BatchRenderRequest, MergeRequest, MergeResult, RenderRequest, StoredJson
from inspraak.domain.vote import derive_reply_code, format_reply_code
from inspraak.settings import Settings

# ---- the activity -------------------------------------------------------------------------------


def _ascii(value: str) -> str:
    """Object metadata travels in HTTP headers (S3): keep it ASCII."""
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


class StoreTemplates:
    """Template overrides kept in the document store as ``<prefix><type>.docx``.

    Read through a short cache (found and not found alike), so a mail-merge does not fetch the same
    template for every letter, while an upload still takes effect within ``max_age_seconds``.
    """

    def __init__(self, store: DocumentStore, prefix: str, *, max_age_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        self._max_age = max_age_seconds
        self._clock = clock
        self._cache: dict[DocumentType, tuple[float, bytes | None]] = {}

    def key(self, doc_type: DocumentType) -> str:
        return f"{self.prefix}{DocumentType(doc_type).value}.docx"

    async def get(self, doc_type: DocumentType) -> bytes | None:
        """The override's bytes, or None when the store has none for this type.

        Raises:
            Exception: storage errors propagate, to be retried: a letter is never silently rendered
                from another template because the store was down.
        """
        doc_type = DocumentType(doc_type)
        now = self._clock()
        cached = self._cache.get(doc_type)
        if cached is not None and now - cached[0] < self._max_age:
            return cached[1]
        try:
            data: bytes | None = await self._store.get(self.key(doc_type))
        except ObjectNotFoundError:
            data = None
        self._cache[doc_type] = (now, data)
        return data

    async def get_all(self) -> dict[DocumentType, bytes]:
        """Every override the store has, by type (for ``inspraak templates check``)."""
        found = {t: await self.get(t) for t in LETTER_TYPES}
        return {t: data for t, data in found.items() if data is not None}


def build_renderer(settings: Settings) -> DocumentRenderer:
    return DocumentRenderer(settings.templates_dir, override_dir=settings.templates_override_dir)


def build_store_templates(settings: Settings, store: DocumentStore) -> StoreTemplates | None:
    if not settings.templates_override_prefix:
        return None
    return StoreTemplates(store, settings.templates_override_prefix)


class DocumentActivities:
    """Temporal activities for letters; the renderer, the store and the store's overrides are handed in."""

    def __init__(self, renderer: DocumentRenderer, store: DocumentStore,
                 clock: Callable[[], datetime] | None = None, *,
                 store_templates: StoreTemplates | None = None, reply_code_key: bytes | None = None,
                 concurrency: int = 8) -> None:
        self._renderer = renderer
        self._concurrency = concurrency
        self._reply_code_key = reply_code_key
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))
        self._store_templates = store_templates

    @activity.defn(name="render_document")
    async def render_document(self, req: RenderRequest) -> DocumentRef:
        """Render one letter and store it under its deterministic key (a retry overwrites it).

        Raises:
            ApplicationError: non-retryable, when the context or the template is wrong.
            Exception: storage errors propagate and are retried by the workflow's policy.
        """
        return await self._render_and_store(req)

    @activity.defn(name="render_documents")
    async def render_documents(self, batch: BatchRenderRequest) -> list[DocumentRef]:
        """Render and store many letters in one call (a mail merge), heartbeating after each.

        A retry (after a worker restart, say) resumes after the last letter it reported: the letters
        before it are stored already, and their references are read back from the store. Keys are
        deterministic, so a letter rendered twice overwrites itself: none is lost, none is doubled.
        """
        details = activity.info().heartbeat_details
        done = int(details[0]) if details else 0
        refs = [await self._stored_ref(item) for item in batch.items[:done]]
        for n, item in enumerate(batch.items[done:], start=done):
            refs.append(await self._render_and_store(item))
            activity.heartbeat(n + 1)
        return refs

    @activity.defn(name="merge_documents")
    async def merge_documents(self, req: MergeRequest) -> MergeResult:
        """A mail merge over a household register: a letter per household, an organisation's copy, a print file.

        The register is read from the store (checked against its sha256); each household's context is its
        type's builder's (``domain.merge``). Letters are stored under ``<step_prefix>-<n>`` (n: the unit's
        place in the request), the copy under ``<step_prefix>-organisatie``, the print file under
        ``<step_prefix>-printbestand``. A retry resumes after the last letter it reported (heartbeat); keys
        are deterministic, so none is lost and none is doubled. Only references leave the activity, and the
        units whose household gave an e-mail address.

        Raises:
            ApplicationError: non-retryable, for a unit not on the register, a register that changed, or a
                context or template that is wrong.
        """
        if req.type not in MERGE_BUILDERS:
            raise ApplicationError(f"no merge builder for {req.type.value}", type="InvalidMerge", non_retryable=True)
        register = await load_register(self._store, req.register_ref)
        figures = await load_json(self._store, req.figures) if req.figures is not None else {}
        if req.reply_code_version is not None and self._reply_code_key is None:
            raise ApplicationError("no reply code key configured (INSPRAAK_REPLY_CODE_KEY)", type="InvalidMerge",
                                   non_retryable=True)
        items, with_email = merge_items(req, register, figures, self._reply_code_key)
        details = activity.info().heartbeat_details
        done = int(details[0]) if details else 0
        rendered: dict[int, bytes] = {}
        refs = await self._render_all(items, done, rendered)
        letters = refs[:len(req.unit_ids)]
        copy = refs[len(req.unit_ids)] if req.copy_to is not None else None
        manifest = await self._manifest(req, letters) if letters else None
        print_file = await self._print_file(req, letters, rendered) if req.print_file and letters else None
        return MergeResult(documents=letters, copy_document=copy, print_file=print_file, with_email=with_email,
                           letters=len(letters), manifest=manifest)

    async def _render_all(self, items: list[RenderRequest], done: int, rendered: dict[int, bytes]
                          ) -> list[DocumentRef]:
        """Every item rendered and stored, up to ``self._concurrency`` at a time (the store's round trips
        overlap, and zlib and lxml let a second core work). The heartbeat reports the letters stored without a
        gap from the first, so a retry that resumes after it loses none; one stored after a gap is rendered
        again under its own key (overwritten, not doubled). The first ``done`` were stored by an earlier
        attempt: only their references are read back. ``rendered`` gets the bytes made in this attempt."""
        refs: list[DocumentRef | None] = [None] * len(items)
        limit = asyncio.Semaphore(self._concurrency)
        reported = done

        async def resumed(i: int) -> None:
            async with limit:
                refs[i] = await self._stored_ref(items[i])

        async def one(i: int) -> None:
            nonlocal reported
            async with limit:
                refs[i], rendered[i] = await self._render_store(items[i])
            while reported < len(items) and refs[reported] is not None:
                reported += 1
            activity.heartbeat(reported)

        tasks = [asyncio.create_task(resumed(i) if i < done else one(i)) for i in range(len(items))]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return [ref for ref in refs if ref is not None]

    async def _manifest(self, req: MergeRequest, letters: list[DocumentRef]) -> StoredJson:
        """The household letters' references as one staff-only JSON object beside them: the workflow keeps
        its key and sha256 and the count, not a reference per household."""
        return await store_json(self._store, manifest_key(req.trajectory_id, req.step_prefix), req.trajectory_id,
                                {"step_prefix": req.step_prefix, "type": req.type.value,
                                 "letters": [ref.model_dump(mode="json") for ref in letters]},
                                document_type="manifest")

    async def _print_file(self, req: MergeRequest, letters: list[DocumentRef], rendered: dict[int, bytes]
                          ) -> DocumentRef:
        """The household letters one after another, each on a new page, in one file for the post room.

        Letters made in this attempt are not read back from the store; the others (an earlier attempt's) are."""
        beat = len(letters) + (1 if req.copy_to else 0)
        data = [rendered[n] if n in rendered else await self._store.get(ref.key) for n, ref in enumerate(letters)]
        # The composing runs in a thread; a heartbeat is sent from the event loop, in the activity's context.
        loop, context = asyncio.get_running_loop(), contextvars.copy_context()

        def progress(_: int) -> None:
            loop.call_soon_threadsafe(activity.heartbeat, beat, context=context)

        composed = await asyncio.to_thread(compose_letters, data, progress)
        step = f"{req.step_prefix}-printbestand"
        doc_id, key = self._ids(RenderRequest(trajectory_id=req.trajectory_id, organisation_id=req.organisation_id,
                                              step=step, type=req.type, context={}))
        title = f"{DocumentType.PRINTBESTAND.label}: {req.title or req.type.label} ({len(letters)} brieven)"
        stored = await self._store.put(key, composed, content_type=DOCX_CONTENT_TYPE, metadata={
            "trajectory": _ascii(req.trajectory_id), "organisation": _ascii(req.organisation_id),
            "visibility": Visibility.STAFF.value, "document-type": DocumentType.PRINTBESTAND.value,
            "template-version": letters[0].template_version, "title": _ascii(title)})
        return DocumentRef(id=doc_id, type=DocumentType.PRINTBESTAND, title=title, trajectory_id=req.trajectory_id,
                           organisation_id=req.organisation_id, visibility=Visibility.STAFF, key=key,
                           sha256=stored.sha256, size=stored.size, template_version=letters[0].template_version,
                           template_source=letters[0].template_source, created_at=self._clock())

    async def _render_and_store(self, req: RenderRequest) -> DocumentRef:
        return (await self._render_store(req))[0]

    async def _render_store(self, req: RenderRequest) -> tuple[DocumentRef, bytes]:
        """The letter rendered and stored: its reference, and its bytes (for a print file)."""
        model = LETTER_CONTEXTS[req.type]
        try:
            context = model.model_validate(req.context)
        except ValueError as e:  # pydantic's ValidationError, or a builder's own refusal
            raise ApplicationError(f"invalid context for a {req.type.value} letter: {e}",
                                   type="InvalidDocumentContext", non_retryable=True) from e
        doc_id, key = self._ids(req)
        override = await self._store_templates.get(req.type) if self._store_templates else None
        started = time.perf_counter()
        try:
            rendered = await asyncio.to_thread(self._renderer.render_with_version, req.type, context,
                                               override)
        except DocumentTemplateError as e:
            raise ApplicationError(str(e), type="DocumentTemplateError", non_retryable=True) from e
        render_seconds = time.perf_counter() - started

        title = req.title or req.type.label
        metadata = {
            "trajectory": _ascii(req.trajectory_id),
            "organisation": _ascii(req.organisation_id),
            "visibility": req.visibility.value,
            "document-type": req.type.value,
            "template-version": rendered.template_version,
            "template-source": rendered.template_source.value,
            "title": _ascii(title),
        }
        if req.household_id:
            metadata["household"] = _ascii(req.household_id)
        # The store computes and keeps the sha256 itself (StoredObject.sha256, x-amz-meta-sha256 on S3).
        stored = await self._store.put(key, rendered.data, content_type=DOCX_CONTENT_TYPE, metadata=metadata)
        metrics.document_generated(req.type, render_seconds)
        return DocumentRef(
            id=doc_id, type=req.type, title=title, trajectory_id=req.trajectory_id,
            organisation_id=req.organisation_id, visibility=req.visibility, household_id=req.household_id,
            key=key, sha256=stored.sha256, size=stored.size, template_version=rendered.template_version,
            template_source=rendered.template_source, created_at=self._clock(),
        ), rendered.data

    async def _stored_ref(self, req: RenderRequest) -> DocumentRef:
        """The reference of a letter an earlier attempt stored; rendered again when it is not there."""
        doc_id, key = self._ids(req)
        try:
            obj = await self._store.stat(key)
        except ObjectNotFoundError:
            return await self._render_and_store(req)
        return DocumentRef(
            id=doc_id, type=req.type, title=req.title or req.type.label, trajectory_id=req.trajectory_id,
            organisation_id=req.organisation_id, visibility=req.visibility, household_id=req.household_id,
            key=key, sha256=obj.sha256, size=obj.size, template_version=obj.metadata.get("template-version", ""),
            template_source=TemplateSource(obj.metadata.get("template-source", "builtin")),
            created_at=self._clock(),
        )

    @staticmethod
    def _ids(req: RenderRequest) -> tuple[str, str]:
        try:
            doc_id = document_id(req.trajectory_id, req.step)
            return doc_id, storage_key(doc_id)
        except ValueError as e:
            raise ApplicationError(str(e), type="InvalidDocumentId", non_retryable=True) from e


def merge_items(req: MergeRequest, register: Households, figures: dict[str, Any], reply_code_key: bytes | None
                ) -> tuple[list[RenderRequest], list[str]]:
    """Every letter of a merge as a render request (the households' in ``req.unit_ids`` order, then the copy),
    and the units whose household gave an e-mail address. The benchmark renders the same with plain docxtpl.

    Raises:
        ApplicationError: non-retryable, for a unit not on the register or a context that is wrong.
    """
    items: list[RenderRequest] = []
    with_email: list[str] = []
    try:
        for n, unit in enumerate(req.unit_ids, start=1):
            household = register.get(unit)
            if household is None:
                raise ApplicationError(f"unit {unit} is not on the household register", type="InvalidMerge",
                                       non_retryable=True)
            if household.email:
                with_email.append(household.unit_id)
            common = req.context
            if req.figures is not None or req.reply_code_version is not None:
                own = dict(figures.get(household.unit_id, {}))
                if req.reply_code_version is not None and reply_code_key is not None:
                    own["antwoordcode"] = format_reply_code(derive_reply_code(
                        reply_code_key, req.trajectory_id, req.reply_code_version, household.unit_id))
                common = common | {"eigen": own}
            context = merge_context(req.type, common, household, register)
            items.append(RenderRequest(
                trajectory_id=req.trajectory_id, organisation_id=req.organisation_id,
                step=f"{req.step_prefix}-{n:04d}", type=req.type, context=context.model_dump(mode="json"),
                visibility=Visibility.HOUSEHOLD, household_id=household.unit_id, title=req.title))
        if req.copy_to is not None:
            common = req.context | {"geadresseerde": req.copy_to.model_dump(mode="json")}
            context = merge_context(req.type, common, None, register)
            items.append(RenderRequest(
                trajectory_id=req.trajectory_id, organisation_id=req.organisation_id,
                step=f"{req.step_prefix}-organisatie", type=req.type, context=context.model_dump(mode="json"),
                visibility=Visibility.ORGANISATION, title=req.title))
    except ValueError as e:  # pydantic's ValidationError, or a builder's own refusal
        raise ApplicationError(f"invalid context for a {req.type.value} letter: {e}",
                               type="InvalidDocumentContext", non_retryable=True) from e
    return items, with_email
