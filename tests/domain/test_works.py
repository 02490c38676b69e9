"""The works' pure rules: when a new rent starts, when the rents are settled, the table, and what an erasure keeps."""

from datetime import UTC, date, datetime
from pathlib import Path

from inspraak.activities.document_samples import sample_context
from inspraak.activities.rendering import DocumentRenderer
from inspraak.domain.advice_actions import CorporationSnapshot, OrganisationSnapshot, StaffMember
from inspraak.domain.documents import DocumentType
from inspraak.domain.erasure import erased, erasure_plan
from inspraak.domain.households import RegisterRef
from inspraak.domain.panel import AdviceAddressee, ComplexFlags, PanelLegalStatus
from inspraak.domain.renovation import (
    RENOVATION_TABLE,
    Panel,
    PanelMember,
    RenovationInput,
    SignUp,
    State,
    initial_state,
)
from inspraak.domain.trajectory import TimelineEntry
from inspraak.domain.vote import Answer, Channel, Choice, Vote, freeze_roll
from inspraak.domain.works import Execution, HomeWorks, RentOutcome, rent_starts_on, rent_term_key
from tests.workflows.renovation_setup import new_renovation

UNITS = ["301-001", "301-002", "301-003"]


def test_the_new_rent_starts_on_the_first_of_the_next_month_not_before_the_proposals_date():
    assert rent_starts_on(date(2027, 3, 15), date(2027, 1, 1)) == date(2027, 4, 1)
    assert rent_starts_on(date(2027, 12, 31), date(2027, 1, 1)) == date(2028, 1, 1)
    assert rent_starts_on(date(2027, 3, 15), date(2027, 7, 1)) == date(2027, 7, 1)


def test_one_rent_term_per_completion_date_bw_7_255_lid_2():
    assert rent_term_key(date(2027, 3, 1)) == "rent_increase_after_works:2027-03-01"


def test_rents_are_settled_when_every_home_not_blocked_is_complete_and_settled_or_its_term_ended():
    day = date(2027, 3, 1)
    ex = Execution(started_on=day, occupied=True, homes=[
        HomeWorks(unit_id="301-001", started_on=day, completed_on=day, rent=RentOutcome.AGREED),
        HomeWorks(unit_id="301-002", started_on=day, completed_on=day, rent=RentOutcome.TERM_ENDED),
        HomeWorks(unit_id="301-003")])
    assert not ex.done(UNITS, lambda u: False)
    assert ex.done(UNITS, lambda u: u == "301-003")  # in court: it does not hold up the others
    assert ex.totals().rent_term_ended == 1 and ex.totals().completed == 2


def test_personal_data_is_kept_24_months_by_default():
    from inspraak.settings import Settings
    from inspraak.workflows.config import KernelConfig
    assert Settings().personal_data_retention_months == 24 == KernelConfig().personal_data_retention_months


def test_erasure_is_allowed_only_once_the_renovation_is_closed_or_stopped():
    assert RENOVATION_TABLE.refusal("erase_personal_data", State.GESLOTEN) is None
    assert RENOVATION_TABLE.refusal("erase_personal_data", State.GESTOPT) is None
    assert "closed or stopped" in (RENOVATION_TABLE.refusal("erase_personal_data", State.EVALUATIE) or "")
    assert RENOVATION_TABLE.refusal("start_works", State.UITVOERINGSGEREED) is None
    assert RENOVATION_TABLE.refusal("start_works", State.GESLOTEN) is not None


def state():
    s = initial_state(RenovationInput(
        id="ren-2027-x", renovation=new_renovation(), flags=ComplexFlags(
            homes=3, units_in_complex=48, bouwkundige_eenheid_ten_minste_10=False, wooncomplex_ten_minste_25=True),
        addressee=AdviceAddressee(organisation_id="bc-de-molen", organisation_name="BC", kind="bewonerscommissie",
                                  reason="-", article="-"),
        organisation=OrganisationSnapshot(id="bc-de-molen", name="BC", kind="bewonerscommissie", contacts=[]),
        corporation=CorporationSnapshot(name="C", email="c@example.nl", manager_name="M", manager_email="m@example.nl"),
        owner=StaffMember(name="S", email="s@example.nl"),
        register_ref=RegisterRef(key="trajectories/ren-2027-x/register/households.json", sha256="0" * 64,
                                 unit_ids=UNITS)))
    day = date(2027, 3, 1)
    s.sign_ups = [SignUp(unit_id="301-002", signed_up_on=day)]
    s.panel = Panel(legal_status=PanelLegalStatus.BC_WOHV, members=[PanelMember(unit_id="301-002", role="lid")],
                    facilities="-", working_agreements="-", constituted_on=day)
    s.vote = Vote(trajectory_id=s.id, roll=freeze_roll(UNITS, day, 1))
    s.vote.record(Answer(unit_id="301-001", choice=Choice.AGREED, channel=Channel.PAPER, answered_on=day,
                         recorded_by="S"), day)
    s.execution = Execution(started_on=day, occupied=True, homes=[HomeWorks(unit_id=u, started_on=day)
                                                                  for u in UNITS])
    s.timeline.append(TimelineEntry(at=datetime(2027, 3, 1, tzinfo=UTC), event="answer", actor="staff",
                                    text="Antwoord van eenheid 301-001 vastgelegd"))
    s.timeline.append(TimelineEntry(at=datetime(2027, 3, 1, tzinfo=UTC), event="vote_closed", actor="staff",
                                    text="Telling gesloten: 1 van 3 woningen ingestemd"))
    return s


def test_an_erased_state_names_no_unit_and_keeps_the_totals():
    s = state()
    plan = erasure_plan(s)
    assert plan.keys[0] == "trajectories/ren-2027-x/register/households.json"
    assert "trajectories/ren-2027-x/proposals/" in plan.prefixes
    gone = erased(s, date(2029, 3, 2))
    dump = gone.model_dump_json()
    for unit in UNITS:
        assert unit not in dump
    assert gone.erasure is not None and (gone.erasure.homes, gone.erasure.sign_ups, gone.erasure.panel_members) \
        == (3, 1, 1)
    assert gone.erasure.tally is not None and gone.erasure.tally.agreed == 1
    assert [e.event for e in gone.timeline] == ["vote_closed"]


def test_the_dissolution_letter_of_a_klantenpanel_ends_the_panel_itself():
    context = sample_context(DocumentType.OPHEFFING_PANEL).model_copy(update={
        "bc_wohv": False, "panel_soort": "klantenpanel", "panel_lidwoord": "het klantenpanel"})
    import io

    from docx import Document
    data = DocumentRenderer(Path("templates")).render(DocumentType.OPHEFFING_PANEL, context)
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "Daarom heffen wij het klantenpanel" in text and "blijft bestaan" not in text
