"""After the vote (BW 7:220 lid 2-3; domain brief 7.2 B12-B17) on the time-skipping server: the kennisgeving, each
home's own 8 weeks from its own receipt date, legal at 6 weeks, court, adjusting and stopping."""

import io
import zipfile
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from temporalio.client import WorkflowUpdateFailedError

from inspraak.activities.evidence import evidence_zip
from inspraak.activities.register import load_manifest
from inspraak.activities.storage import build_store
from inspraak.domain.documents import DocumentType, Visibility
from inspraak.domain.dutch import datum, datum_lang
from inspraak.domain.objections import (
    CourtClaimRecorded,
    LandlordClaimsRecorded,
    NoticesSent,
    ProposalAdjusted,
    ReceiptMethod,
    ReceiptsRecorded,
    Ruling,
    RulingRecorded,
    RulingsFollowed,
    term_key,
)
from inspraak.domain.renovation import State
from inspraak.domain.renovation_actions import CodeAnswer
from inspraak.domain.terms import RENOVATION_OBJECTION
from inspraak.domain.vote import Choice, derive_reply_code, unit_for_derived_code
from inspraak.workflows.renovation import RenovationWorkflow
from tests.activities.test_documents import letter_text
from tests.workflows.conftest import Stack, history_text, pass_days, pass_until
from tests.workflows.renovation_setup import household_letters, proposal
from tests.workflows.test_renovation_vote import answer, close, stop, stop_what_is_left, text_of, voting

__all__ = ["stop_what_is_left"]  # the fixture that stops what a failed test left running


async def refused(handle, update, action, code: str) -> str:
    """The update is refused, with ``code`` (a field's code, or words of the table's refusal)."""
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(update, action)
    details = getattr(e.value.cause, "details", ())
    assert code in details or code in str(e.value.cause), (code, details, str(e.value.cause))
    return str(e.value.cause)


async def vote_with(stack: Stack, homes: int, agreed: int, not_agreed: int = 0):
    """A closed vote: homes 1..agreed agreed, the next ``not_agreed`` said no, the rest did not answer."""
    handle = await voting(stack, homes)
    today = await stack.today()
    for i in range(1, agreed + not_agreed + 1):
        await answer(handle, f"301-{i:03d}", Choice.AGREED if i <= agreed else Choice.NOT_AGREED, today)
    return handle, await close(stack, handle)


def mails_to(stack: Stack, address: str) -> list[str]:
    found = []
    for path in stack.outbox.glob("*.eml"):
        msg = message_from_bytes(path.read_bytes())
        if address in str(msg["To"]):
            found.append(str(msg["Subject"]))
    return found


async def test_each_home_has_its_own_8_weeks_from_its_own_receipt_and_legal_hears_at_6_weeks_bw_7_220_lid_3(
        stack: Stack):
    handle, view = await vote_with(stack, 10, agreed=7, not_agreed=1)  # 301-009 and 301-010 did not answer
    assert view.state == State.DRAAGVLAK_BEREIKT
    wf = RenovationWorkflow
    await handle.execute_update(wf.send_notices, NoticesSent())
    view = await handle.query(wf.view)
    assert view.state == State.KENNISGEVING_70
    letters = {d.household_id: d for d in await household_letters(stack.settings, view, DocumentType.KENNISGEVING_70)}
    assert sorted(letters) == ["301-008", "301-009", "301-010"]
    assert all(d.visibility == Visibility.HOUSEHOLD for d in letters.values())
    notices = (await handle.query(wf.objections)).notices
    example = notices.expected_receipt
    text = text_of((stack.settings.documents_dir / letters["301-008"].key).read_bytes())
    assert "Huurder Nummer 8" in text and "eenheid 301-008" in text and "70,00 procent" in text
    assert f"Ontvangt u deze brief op {datum_lang(example)}? Dan is " in text
    assert "de laatste dag van uw termijn" in text
    # No kennisgeving to a home that agreed, and no copy by mail: the registered letter is the notice.
    assert not list(stack.outbox.glob("*kennisgeving_70*household*"))

    d1 = await stack.today()
    sent = notices.sent_on
    await refused(handle, wf.record_receipts, ReceiptsRecorded(units=["301-008"], received_on=sent - timedelta(days=1),
                                                          method=ReceiptMethod.REGISTERED_MAIL), "before_event")
    await refused(handle, wf.record_receipts, ReceiptsRecorded(units=["301-001"], received_on=d1,
                                                          method=ReceiptMethod.REGISTERED_MAIL), "not_notified")
    await handle.execute_update(wf.record_receipts, ReceiptsRecorded(units=["301-008"], received_on=d1,
                                                                     method=ReceiptMethod.REGISTERED_MAIL))
    assert (await handle.query(wf.view)).state == State.BEZWAARTERMIJN
    await refused(handle, wf.record_receipts, ReceiptsRecorded(units=["301-008"], received_on=d1,
                                                          method=ReceiptMethod.SIGNATURE), "receipt_recorded")
    await pass_days(stack, 3)
    d2 = d1 + timedelta(days=3)
    await handle.execute_update(wf.record_receipts, ReceiptsRecorded(units=["301-009"], received_on=d2,
                                                                     method=ReceiptMethod.SIGNATURE))
    # 301-010's receipt is not recorded yet: its term has not started.
    await pass_days(stack, 7)
    await handle.execute_update(wf.record_court_claim, CourtClaimRecorded(unit_id="301-008", filed_on=d1 + timedelta(
        days=10), reference="KG 27/123"))
    objections = await handle.query(wf.objections)
    assert objections.blocked == ["301-008"]
    homes = {h.unit_id: h for h in objections.notices.homes}
    first, second = homes["301-008"], homes["301-009"]
    assert (first.term_key, second.term_key) == (term_key(d1), term_key(d2))
    assert first.term_ends_on >= d1 + timedelta(days=56) and second.term_ends_on >= d2 + timedelta(days=56)
    assert first.term_ends_on != second.term_ends_on and homes["301-010"].term_ends_on is None
    # 301-008 gave an e-mail address: it is told its own last day (301-009 gave none; it gets the letter on paper).
    (mail,) = [message_from_bytes(p.read_bytes()) for p in stack.outbox.glob("*termijn_kennisgeving*household*.eml")]
    assert datum(first.term_ends_on) in str(mail["Subject"]) and "huurder8@example.nl" in str(mail["To"])

    # Six weeks after the first receipt, legal hears (the corporation's legal contact in the organisations file).
    await pass_until(stack, d1 + timedelta(days=42))
    assert any("nog twee weken" in s for s in mails_to(stack, "juridisch@voorbeeldhaven.nl"))
    view = await handle.query(wf.view)
    assert any(e.event == "alert_week_6" for e in view.timeline)

    # The first term ends on its own (Atw-moved) last day; the phase stays open while 301-010 has no receipt.
    await pass_until(stack, first.term_ends_on + timedelta(days=1))
    view = await handle.query(wf.view)
    assert view.state == State.BEZWAARTERMIJN
    assert any(e.event == "objection_term_ended" for e in view.timeline)
    await pass_until(stack, second.term_ends_on + timedelta(days=1))
    view = await handle.query(wf.view)
    assert view.state == State.BEZWAARTERMIJN
    assert any("nog niet vastgelegd" in s or "Bezwaartermijn" in s for s in mails_to(stack, "sanne@voorbeeldhaven.nl"))
    # 301-009's term has ended: a claim filed after it is refused.
    await refused(handle, wf.record_court_claim, CourtClaimRecorded(unit_id="301-009", filed_on=second.term_ends_on
                                                            + timedelta(days=1)), "term_ended")

    # 301-010 signed for it late; its own 8 weeks end later, and then the project is ready (B14).
    d3 = await stack.today()
    await handle.execute_update(wf.record_receipts, ReceiptsRecorded(units=["301-010"], received_on=d3,
                                                                     method=ReceiptMethod.SIGNATURE))
    third = {h.unit_id: h for h in (await handle.query(wf.objections)).notices.homes}["301-010"]
    await pass_until(stack, third.term_ends_on)
    assert (await handle.query(wf.view)).state == State.BEZWAARTERMIJN
    await pass_until(stack, third.term_ends_on + timedelta(days=1))
    view = await handle.query(wf.view)
    assert view.state == State.UITVOERINGSGEREED
    # The home in court stays blocked until a ruling that the proposal is reasonable.
    assert (await handle.query(wf.objections)).blocked == ["301-008"]
    await handle.execute_update(wf.record_ruling, RulingRecorded(unit_id="301-008", ruling=Ruling.REASONABLE,
                                                                 ruled_on=d3))
    assert (await handle.query(wf.objections)).blocked == []

    # The evidence export holds the notices with their receipt dates and terms, and the court case.
    z = zipfile.ZipFile(io.BytesIO(await evidence_zip(build_store(stack.settings), await handle.query(wf.evidence),
                                                      datetime.now(UTC), "Sanne Behandelaar")))
    notices_csv = z.read("kennisgevingen.csv").decode("utf-8-sig")
    for unit, home in {"301-008": first, "301-009": second, "301-010": third}.items():
        assert f"{unit};Molenweg" in notices_csv and home.term_ends_on.isoformat() in notices_csv
        assert f"kennisgevingen/{unit}.docx" in z.namelist()
        # and the letter with its own last day that followed the recorded receipt
        later = text_of(z.read(f"kennisgevingen/{unit}-laatste-dag.docx"))
        assert f"Uw laatste dag: {datum_lang(home.term_ends_on)}" in later
    assert "handtekening voor ontvangst" in notices_csv and "aangetekende post" in notices_csv
    court = z.read("rechter.csv").decode("utf-8-sig")
    assert "301-008;Molenweg 8" in court and "KG 27/123" in court and "voorstel redelijk" in court
    assert "kennisgevingen.csv" in z.read("index.html").decode()
    await stop(handle)


async def test_every_home_of_a_receipt_batch_gets_a_letter_with_its_own_last_day_bw_7_220_lid_3(stack: Stack):
    handle, _ = await vote_with(stack, 14, agreed=10, not_agreed=1)  # 301-011 said no, 012..014 did not answer
    wf = RenovationWorkflow
    await handle.execute_update(wf.send_notices, NoticesSent())
    d1 = await stack.today()
    batches = {d1: ["301-011", "301-012"], d1 + timedelta(days=2): ["301-013", "301-014"]}  # odd units: no e-mail

    async def record(received_on, units):
        await handle.execute_update(wf.record_receipts, ReceiptsRecorded(units=units, received_on=received_on,
                                                                         method=ReceiptMethod.REGISTERED_MAIL))
        await pass_days(stack, 0.01)  # the mails go out in the background
        view = await handle.query(wf.view)
        (term,) = [t for t in view.deadlines if t.term == RENOVATION_OBJECTION.key and t.anchor == received_on]
        return view, term

    def mails():
        return {m["To"]: m for m in (message_from_bytes(p.read_bytes()) for p in stack.outbox.glob("*.eml"))
                if "Uw termijn voor de kantonrechter" in str(m["Subject"])}

    (first, second), terms = list(batches.items()), []
    view, term = await record(*first)
    terms.append(term)
    assert [m.type for m in view.merges].count(DocumentType.TERMIJN_KENNISGEVING) == 1
    assert list(mails()) == ["huurder12@example.nl"]  # 301-011 has no e-mail address
    await pass_days(stack, 2)
    view, term = await record(*second)
    terms.append(term)
    assert terms[0].due_on != terms[1].due_on
    homes = {h.unit_id: h for h in (await handle.query(wf.objections)).notices.homes}

    merges = [m for m in view.merges if m.type == DocumentType.TERMIJN_KENNISGEVING]
    assert len(merges) == 2 and [m.letters for m in merges] == [2, 2]
    store = build_store(stack.settings)
    for merged, (received_on, units), term in zip(merges, batches.items(), terms, strict=True):
        letters = {d.household_id: d for d in await load_manifest(store, merged.manifest)}
        assert sorted(letters) == units  # the homes of this batch only
        for unit, letter in letters.items():
            assert homes[unit].term_ends_on == term.due_on
            text = letter_text((stack.settings.documents_dir / letter.key).read_bytes())  # tables too: the kenmerk
            i = int(unit[-3:])
            assert f"Huurder Nummer {i}" in text and f"eenheid {unit}" in text and handle.id.upper() in text
            assert f"ontvangen op {datum_lang(received_on)}" in text
            assert f"Uw laatste dag: {datum_lang(term.due_on)}" in text
            assert "artikel 7:220 lid 3 Burgerlijk Wetboek" in text and "Klopt de datum niet?" in text
            assert "Sanne Behandelaar" in text and "u heeft" not in text.lower()
            if term.due_on != term.unextended_due_on:  # the Atw moved it: the letter says so
                assert "Algemene termijnenwet" in text
        # One print file per batch, for the post room, with this batch's letters only.
        (printed,) = [d for d in view.documents if d.id == merged.print_file_id]
        assert printed.type == DocumentType.PRINTBESTAND and printed.visibility == Visibility.STAFF
        combined = text_of((stack.settings.documents_dir / printed.key).read_bytes())
        assert all(f"eenheid {u}" in combined for u in units)
        assert not any(f"eenheid {u}" in combined for b in batches.values() if b != units for u in b)

    # A mail to each home with an address (it carries the letter), one per home, none by the old way.
    sent = mails()
    assert sorted(sent) == ["huurder12@example.nl", "huurder14@example.nl"]
    assert datum(terms[0].due_on) in str(sent["huurder12@example.nl"]["Subject"])
    assert datum(terms[1].due_on) in str(sent["huurder14@example.nl"]["Subject"])
    assert len(list(stack.outbox.glob("*termijn_kennisgeving*household*.eml"))) == 2
    assert not list(stack.outbox.glob("*kennisgeving-termijn-*"))
    assert any(part.get_filename() for part in sent["huurder14@example.nl"].walk())

    # No name, address, e-mail address or contract of a tenant in the history.
    history = await history_text(handle)
    for secret in ("Huurder Nummer", "huurder12@example.nl", "huurder14@example.nl", "Molenweg 13,", "HO-00011"):
        assert secret not in history
    await stop(handle)


async def test_a_tenant_going_to_court_within_its_8_weeks_is_blocked_and_stays_so_if_unreasonable_bw_7_220_lid_3(
        stack: Stack):
    handle, _ = await vote_with(stack, 10, agreed=8, not_agreed=2)
    wf = RenovationWorkflow
    await handle.execute_update(wf.send_notices, NoticesSent())
    today = await stack.today()
    await refused(handle, wf.record_court_claim, CourtClaimRecorded(unit_id="301-001", filed_on=today), "not_notified")
    await refused(handle, wf.record_court_claim,
                  CourtClaimRecorded(unit_id="301-009", filed_on=today + timedelta(days=1)), "date_in_future")
    await handle.execute_update(wf.record_court_claim, CourtClaimRecorded(unit_id="301-009", filed_on=today))
    await refused(handle, wf.record_court_claim, CourtClaimRecorded(unit_id="301-009", filed_on=today), "case_recorded")
    await handle.execute_update(wf.record_ruling, RulingRecorded(unit_id="301-009", ruling=Ruling.UNREASONABLE,
                                                                 ruled_on=today))
    assert (await handle.query(wf.objections)).blocked == ["301-009"]
    await refused(handle, wf.record_ruling, RulingRecorded(unit_id="301-009", ruling=Ruling.REASONABLE, ruled_on=today),
                  "ruling_recorded")
    await stop(handle)


async def test_not_reached_adjusted_and_a_new_version_reached_with_new_codes_bw_7_220_lid_3(stack: Stack):
    handle, view = await vote_with(stack, 10, agreed=6)
    assert view.state == State.DRAAGVLAK_NIET_BEREIKT
    wf = RenovationWorkflow
    today = await stack.today()
    # The table says what to do first.
    cause = await refused(handle, wf.send_proposals, await proposal(stack.settings, handle, 10, today, version=2),
                          "adjust_proposal")
    assert "adjust_proposal" in cause
    await handle.execute_update(wf.adjust_proposal, ProposalAdjusted(reason="Lagere huurverhoging."))
    assert (await handle.query(wf.view)).state == State.AANPASSEN_VOORSTEL
    await refused(handle, wf.send_proposals, await proposal(stack.settings, handle, 10, today, version=1),
                  "version_not_new")
    await handle.execute_update(wf.send_proposals, await proposal(stack.settings, handle, 10, today, version=2))
    view = await handle.query(wf.view)
    assert view.state == State.DRAAGVLAKMETING and view.proposal.version == 2
    tally = await handle.query(wf.tally)
    assert (tally.proposal_version, tally.agreed, tally.no_answer) == (2, 0, 10)  # a new list, a new count
    # A code of version 1 is refused now: the API derives codes of the version open now (vote_units) ...
    units = await handle.query(wf.vote_units)
    key = stack.settings.reply_code_key_bytes
    old = derive_reply_code(key, handle.id, 1, "301-001")
    assert units.proposal_version == 2 and old != derive_reply_code(key, handle.id, 2, "301-001")
    assert unit_for_derived_code(old, key, handle.id, units.proposal_version, units.unit_ids) is None
    # ... and the workflow refuses an answer for another version.
    await refused(handle, wf.answer_by_code, CodeAnswer(unit_id="301-001", choice=Choice.AGREED, proposal_version=1),
                  "invalid_code")
    for i in range(1, 9):
        await answer(handle, f"301-{i:03d}", Choice.AGREED, today)
    view = await close(stack, handle)
    assert view.state == State.DRAAGVLAK_BEREIKT and view.tally.agreed == 8
    evidence = await handle.query(wf.evidence)
    assert [v.proposal.version for v in evidence.versions] == [1, 2]
    assert [v.result.tally.agreed for v in evidence.versions] == [6, 8]
    assert all(v.manifest is not None and v.manifest.letters == 10 for v in evidence.versions)
    assert {d.id for d in evidence.versions[0].letters}.isdisjoint({d.id for d in evidence.versions[1].letters})
    await stop(handle)


async def test_not_reached_and_stopped_bw_7_220_lid_3(stack: Stack):
    handle, view = await vote_with(stack, 10, agreed=5, not_agreed=5)
    assert view.state == State.DRAAGVLAK_NIET_BEREIKT
    await refused(handle, RenovationWorkflow.send_notices, NoticesSent(), "70%")
    await stop(handle)
    assert (await handle.query(RenovationWorkflow.view)).state == State.GESTOPT


async def test_landlord_takes_households_to_court_and_the_works_follow_the_rulings_bw_7_220_lid_2(stack: Stack):
    # Fewer than 10 homes: no presumption (BW 7:220 lid 3); the landlord must sue each household that did not agree.
    handle, view = await vote_with(stack, 9, agreed=7, not_agreed=1)  # 301-009 did not answer
    assert view.state == State.DRAAGVLAK_NIET_BEREIKT
    wf = RenovationWorkflow
    today = await stack.today()
    await refused(handle, wf.record_landlord_claims, LandlordClaimsRecorded(units=["301-001"], filed_on=today),
                  "agreed_or_unknown")
    await handle.execute_update(wf.record_landlord_claims, LandlordClaimsRecorded(units=["301-008", "301-009"],
                                                                                  filed_on=today))
    assert (await handle.query(wf.objections)).blocked == ["301-008", "301-009"]
    await handle.execute_update(wf.record_ruling, RulingRecorded(unit_id="301-008", ruling=Ruling.REASONABLE,
                                                                 ruled_on=today))
    await refused(handle, wf.follow_rulings, RulingsFollowed(), "rulings_missing")
    await handle.execute_update(wf.record_ruling, RulingRecorded(unit_id="301-009", ruling=Ruling.UNREASONABLE,
                                                                 ruled_on=today))
    await handle.execute_update(wf.follow_rulings, RulingsFollowed())
    view = await handle.query(wf.view)
    assert view.state == State.UITVOERINGSGEREED
    assert (await handle.query(wf.objections)).blocked == ["301-009"]
    await stop(handle)
