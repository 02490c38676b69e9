"""The evidence export of a renovation (issue 8 point 5): one ZIP a lawyer can hand to the kantonrechter.

The workflow answers an :class:`EvidenceRecord` (staff-only query: by unit id, no names); the API adds the
register (names, addresses, contracts) and the stored documents and calls :func:`build_evidence_zip`. What
the ZIP holds, per proposal version: the frozen list with the households, every proposal sent with its
sha256 (as recorded when it was stored, and as computed from the bytes in the ZIP), every answer (replaced
ones too) with its channel, date and who recorded it, the count and the result letter; then the
kennisgevingen with their receipt dates and terms, the court cases, the timeline, an index in Dutch
(``index.html``) and ``SHA256SUMS`` over every file. Pure: bytes in, bytes out; no clock (``made_at`` is passed).
"""

import csv
import hashlib
import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel

from inspraak.domain import evidence_letters as text
from inspraak.domain.documents import DocumentRef
from inspraak.domain.households import Complex, Households, RegisterRef
from inspraak.domain.objections import CourtCase, Notices
from inspraak.domain.renovation import Proposal, State, VoteResult
from inspraak.domain.trajectory import MergedLetters, TimelineEntry
from inspraak.domain.vote import Vote


class ProposalVersion(BaseModel):
    proposal: Proposal
    vote: Vote
    letters: list[DocumentRef] = []  # the proposals sent, one per home (read from ``manifest`` by the export)
    manifest: MergedLetters | None = None  # the merge that sent them: its manifest in the store lists them
    result: VoteResult | None = None


class EvidenceRecord(BaseModel):
    """What the workflow knows for the export; units only, the register gives the names."""

    id: str
    subject: str
    complex: Complex
    state: State
    register_ref: RegisterRef
    versions: list[ProposalVersion]
    notices: Notices | None
    court_cases: list[CourtCase]
    documents: list[DocumentRef]  # the result letters and the kennisgevingen (the proposals are per version)
    notice_manifests: list[MergedLetters] = []  # the kennisgeving merges: the export reads the letters from them
    timeline: list[TimelineEntry]
    # The merges of the letters sent once a receipt was recorded (each home's last day), and those letters as the
    # export reads them from the manifests.
    receipt_manifests: list[MergedLetters] = []
    receipt_letters: list[DocumentRef] = []

    def needed_documents(self) -> list[DocumentRef]:
        """The stored documents the ZIP holds: every proposal, the result letters, every kennisgeving and every
        letter with a home's last day."""
        return [d for v in self.versions for d in v.letters] + list(self.documents) + list(self.receipt_letters)


def evidence_documents(documents: list[DocumentRef], versions: list[ProposalVersion],
                       notices: Notices | None) -> list[DocumentRef]:
    """Of a trajectory's documents, the ones the export holds besides the proposals: result letters, notices."""
    wanted = {v.result.document_id for v in versions if v.result}
    if notices:
        wanted |= {h.document_id for h in notices.homes if h.document_id}
    return [d for d in documents if d.id in wanted]


def _csv(header: list[str], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else str(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # with a BOM, so Excel reads the accents


def build_evidence_zip(record: EvidenceRecord, register: Households, stored: Mapping[str, bytes],
                       made_at: datetime, made_by: str) -> bytes:
    """The ZIP of ``record``; ``stored`` holds the bytes of :meth:`EvidenceRecord.needed_documents` by id."""
    files: dict[str, bytes] = {}
    described: list[tuple[str, str]] = []

    def add(name: str, data: bytes, what: str) -> None:
        files[name] = data
        described.append((name, what))

    def household(unit: str) -> list[str]:
        h = register.get(unit)
        return [h.address, h.tenant_name, h.co_tenant_name or "", h.contract_number] if h else ["", "", "", ""]

    by_id = {d.id: d for d in record.needed_documents()}
    for v in record.versions:
        n = v.proposal.version
        folder = f"versie-{n}"
        roll = v.vote.roll
        add(f"{folder}/lijst.csv", _csv(text.LIST_HEADER, [[h.unit_id, *household(h.unit_id), roll.reference_date]
                                                           for h in roll.homes]), text.what_list(n, roll))
        rows = []
        for d in v.letters:
            data = stored.get(d.id)
            name = f"{folder}/voorstellen/{d.household_id}.docx"
            if data is not None:
                files[name] = data
            rows.append([d.household_id, d.id, name if data is not None else text.MISSING, d.created_at.date(),
                         d.sha256, hashlib.sha256(data).hexdigest() if data is not None else "",
                         text.ja(data is not None and hashlib.sha256(data).hexdigest() == d.sha256)])
        add(f"{folder}/voorstellen.csv", _csv(text.PROPOSALS_HEADER, rows), text.what_proposals(n, len(rows)))
        described.append((f"{folder}/voorstellen/", text.what_proposal_files(n)))
        current = {a.unit_id: a.sequence for a in v.vote.current().values()}
        add(f"{folder}/antwoorden.csv", _csv(text.ANSWERS_HEADER, [
            [a.sequence, a.unit_id, text.CHOICES[a.choice], text.CHANNELS[a.channel], a.answered_on, a.recorded_by,
             text.ja(current.get(a.unit_id) == a.sequence)] for a in v.vote.answers]),
            text.what_answers(n, len(v.vote.answers)))
        tally = v.result.tally if v.result else v.vote.tally()
        add(f"{folder}/telling.txt", text.tally_text(v.proposal, tally).encode("utf-8"), text.what_tally(n))
        letter = by_id.get(v.result.document_id) if v.result else None
        if letter is not None and letter.id in stored:
            add(f"{folder}/uitslag.docx", stored[letter.id], text.what_result(n, letter.sha256))
    if record.notices is not None:
        notices = record.notices
        rows = []
        receipts = {d.household_id: d for d in record.receipt_letters}
        for home in notices.homes:
            later = receipts.get(home.unit_id)
            later_data = stored.get(later.id) if later else None
            if later_data is not None:
                files[f"kennisgevingen/{home.unit_id}-laatste-dag.docx"] = later_data
            doc = by_id.get(home.document_id or "")
            data = stored.get(doc.id) if doc else None
            name = f"kennisgevingen/{home.unit_id}.docx"
            if data is not None:
                files[name] = data
            rows.append([home.unit_id, *household(home.unit_id)[:2], notices.sent_on, doc.sha256 if doc else "",
                         home.received_on, text.RECEIPTS.get(home.receipt_method, ""), home.receipt_recorded_by,
                         home.term_ends_on, later.sha256 if later else ""])
        add("kennisgevingen.csv", _csv(text.NOTICES_HEADER, rows), text.what_notices(notices))
        described.append(("kennisgevingen/", text.WHAT_NOTICE_FILES))
    add("rechter.csv", _csv(text.COURT_HEADER, [
        [c.unit_id, *household(c.unit_id)[:2], text.PARTIES[c.party], c.filed_on, c.reference, c.recorded_by,
         text.RULINGS.get(c.ruling, text.PENDING), c.ruled_on, c.ruling_reference, c.ruling_recorded_by]
        for c in record.court_cases]), text.what_court(len(record.court_cases)))
    add("tijdlijn.csv", _csv(text.TIMELINE_HEADER, [[e.at.isoformat(), e.event, e.actor, e.by, e.text]
                                                    for e in record.timeline]), text.WHAT_TIMELINE)
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items()))
    index = text.index_html(record, described, made_at, made_by)
    out = io.BytesIO()
    stamp = made_at.timetuple()[:6]  # every entry dated by the export, not by the clock of the machine (reproducible)

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with zipfile.ZipFile(out, "w") as z:
        z.writestr(entry("index.html"), index.encode("utf-8"))
        z.writestr(entry("SHA256SUMS"), sums.encode("utf-8"))
        for name, data in sorted(files.items()):
            z.writestr(entry(name), data)
    return out.getvalue()


def evidence_filename(record: EvidenceRecord, made_at: datetime) -> str:
    return f"{record.id}-bewijsdossier-{made_at:%Y%m%d}.zip"
