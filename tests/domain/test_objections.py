"""The pure rules after the vote (BW 7:220 lid 2-3) and the evidence ZIP, without Temporal."""

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

from inspraak.domain.documents import DocumentRef, DocumentType, Visibility
from inspraak.domain.evidence import EvidenceRecord, ProposalVersion, build_evidence_zip
from inspraak.domain.households import Complex, RegisterRef, parse_households
from inspraak.domain.objections import (
    CourtCase,
    CourtParty,
    NoticeHome,
    Notices,
    Ruling,
    homes_awaiting_ruling,
    tenant_claim_refusal,
    term_key,
    works_blocked,
)
from inspraak.domain.renovation import Proposal, State
from inspraak.domain.renovation_actions import Works
from inspraak.domain.vote import Answer, Channel, Choice, Vote, freeze_roll
from tests.workflows.renovation_setup import households_csv

SENT = date(2027, 9, 22)


def notices() -> Notices:
    return Notices(proposal_version=1, sent_on=SENT, percent_agreed=Decimal("75.00"),
                   expected_receipt=date(2027, 9, 23),
                   homes=[NoticeHome(unit_id="301-009", received_on=date(2027, 9, 23), term_key=term_key(
                       date(2027, 9, 23)), term_ends_on=date(2027, 11, 18)), NoticeHome(unit_id="301-010")])


def case(unit: str, ruling: Ruling | None = None) -> CourtCase:
    return CourtCase(unit_id=unit, party=CourtParty.TENANT, filed_on=SENT, recorded_by="staff", ruling=ruling)


def test_a_home_is_blocked_while_its_case_is_pending_and_after_an_unreasonable_ruling_bw_7_220_lid_3():
    cases = [case("301-008"), case("301-009", Ruling.REASONABLE), case("301-010", Ruling.UNREASONABLE)]
    assert [works_blocked(cases, u) for u in ("301-001", "301-008", "301-009", "301-010")] == [
        False, True, False, True]
    assert works_blocked(cases, "301-008".upper())  # unit ids are compared without regard to case
    assert homes_awaiting_ruling(["301-008", "301-009", "301-011"], cases) == ["301-008", "301-011"]


def test_a_claim_after_the_home_s_own_last_day_is_refused_one_on_it_is_not_bw_7_220_lid_3():
    n = notices()
    today = date(2027, 12, 1)
    assert tenant_claim_refusal(n, [], "301-009", date(2027, 11, 18), today) is None
    assert tenant_claim_refusal(n, [], "301-009", date(2027, 11, 19), today)[1] == "term_ended"
    # Without a recorded receipt the term has not started, so it cannot have ended.
    assert tenant_claim_refusal(n, [], "301-010", date(2027, 11, 30), today) is None
    assert tenant_claim_refusal(n, [], "301-001", SENT, today)[1] == "not_notified"
    assert tenant_claim_refusal(n, [], "301-010", SENT.replace(day=21), today)[1] == "before_event"


def test_receipts_are_refused_before_sending_in_the_future_twice_or_for_a_home_that_agreed():
    n = notices()
    assert n.receipt_refusal(["301-010"], SENT, SENT) is None
    assert n.receipt_refusal(["301-010"], date(2027, 9, 21), SENT)[1] == "before_event"
    assert n.receipt_refusal(["301-010"], date(2027, 9, 23), SENT)[1] == "date_in_future"
    assert n.receipt_refusal(["301-009"], SENT, SENT)[1] == "receipt_recorded"
    assert n.receipt_refusal(["301-001"], SENT, SENT)[1] == "not_notified"
    assert n.receipt_refusal(["301-010", "301-010"], SENT, SENT)[:2] == ("units[1]", "duplicate_unit")
    assert n.without_receipt() == ["301-010"] and n.term_keys() == ["renovation_objection:2027-09-23"]


def test_the_evidence_zip_lists_a_document_missing_from_the_store_and_keeps_replaced_answers():
    register = parse_households(households_csv(3))
    vote = Vote(trajectory_id="ren-x", roll=freeze_roll(register, date(2027, 9, 1), 1))
    for choice in (Choice.AGREED, Choice.NOT_AGREED):
        vote.record(Answer(unit_id="301-001", choice=choice, channel=Channel.PAPER, answered_on=date(2027, 9, 2),
                           recorded_by="Sanne"), date(2027, 9, 3))
    letters = [DocumentRef(id=f"ren-x.05-renovatievoorstel-{n:04d}", type=DocumentType.RENOVATIEVOORSTEL,
                           title="Renovatievoorstel versie 1", trajectory_id="ren-x", organisation_id="bc",
                           visibility=Visibility.HOUSEHOLD, household_id=f"301-00{n}",
                           key=f"trajectories/ren-x/05-renovatievoorstel-{n:04d}.docx", sha256="0" * 64, size=3,
                           template_version="abc", created_at=datetime(2027, 9, 1, tzinfo=UTC)) for n in (1, 2)]
    proposal = Proposal(version=1, works=Works(renovation="Isolatie"), schedule="maart", occupied=True,
                        rent_increase_from=date(2028, 1, 1), reply_by=date(2027, 9, 15), sent_on=date(2027, 9, 1),
                        letters=2)
    record = EvidenceRecord(id="ren-x", subject="Renovatie", complex=Complex(id="301", name="De Molen",
                                                                              address="Molenweg"),
                            state=State.DRAAGVLAKMETING, register_ref=RegisterRef(key="k", sha256="0" * 64,
                                                                                  unit_ids=["301-001"]),
                            versions=[ProposalVersion(proposal=proposal, vote=vote, letters=letters)], notices=None,
                            court_cases=[], documents=[], timeline=[])
    data = build_evidence_zip(record, register, {letters[0].id: b"abc"}, datetime(2027, 9, 3, tzinfo=UTC), "Sanne")
    z = zipfile.ZipFile(io.BytesIO(data))
    sent = z.read("versie-1/voorstellen.csv").decode("utf-8-sig").splitlines()
    assert sent[1].startswith("301-001;") and sent[1].endswith(";nee")  # stored hash differs from the file's
    assert "ontbreekt in de opslag" in sent[2]
    answers = z.read("versie-1/antwoorden.csv").decode("utf-8-sig").splitlines()
    assert answers[1].endswith("ingestemd;antwoordstrook op papier;2027-09-02;Sanne;nee")
    assert answers[2].endswith("niet ingestemd;antwoordstrook op papier;2027-09-02;Sanne;ja")
    assert "Huurder Nummer 3" in z.read("versie-1/lijst.csv").decode("utf-8-sig")
    assert "kennisgevingen.csv" not in z.namelist() and "rechter.csv" in z.namelist()
    assert "Versie 1: verzonden op 1 september 2027 aan 3 woningen" in z.read("index.html").decode()
    assert io.BytesIO(z.read("versie-1/voorstellen/301-001.docx")).read() == b"abc"
