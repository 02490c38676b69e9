"""From the works to the close and the erasure (B18-B22; BW 7:220 lid 5-6, 7:255 lid 2; AVG) on the time-skipping
server. Every test starts where every home agreed, so the count went straight to UITVOERINGSGEREED."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from temporalio.client import WorkflowUpdateFailedError

from inspraak.domain.documents import DocumentType, Visibility
from inspraak.domain.dutch import bedrag, datum_lang
from inspraak.domain.moving_allowance import MovingAllowance
from inspraak.domain.renovation import RenovationState, State
from inspraak.domain.renovation_actions import Agreement, Stopped
from inspraak.domain.works import (
    EvaluationRecorded,
    HomesCompleted,
    PanelDissolved,
    PersonalDataErased,
    ProjectClosed,
    RentOutcome,
    RentSettled,
    WorksStarted,
)
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from inspraak.workflows.renovation import RenovationWorkflow
from tests.workflows.conftest import Stack, history_text, pass_days, pass_until, settled
from tests.workflows.renovation_setup import end_renovation, ready_for_works, rent_after

OPEN: list = []


@pytest.fixture(autouse=True)
async def end_what_is_left(stack: Stack):
    yield
    while OPEN:
        await end_renovation(OPEN.pop())


@pytest.fixture
async def short(env, tmp_path: Path):
    """A worker that keeps personal data one month: the erasure comes within reach without moving the shared
    clock by years (earlier tests have moved it decades already; 24 months on could pass 2100, the last day any
    input takes). The default of 24 months is tested in tests/domain/test_works.py."""
    settings = Settings(data_dir=tmp_path / "short", search_attributes=False,
                        task_queue=f"works-{uuid.uuid4().hex[:8]}", personal_data_retention_months=1)
    async with build_worker(env.client, settings):
        yield Stack(env, env.client, settings)
        while OPEN:  # while this worker still runs
            await end_renovation(OPEN.pop())


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


async def ready(stack: Stack, homes: int = 12, occupied: bool = True):
    async def until(day):
        await pass_until(stack, day)

    handle = await ready_for_works(stack.client, stack.settings, homes, await stack.today(), occupied=occupied,
                                   pass_until=until)
    OPEN.append(handle)
    assert (await handle.query(RenovationWorkflow.view)).state == State.UITVOERINGSGEREED
    return handle


async def view(handle):
    return await handle.query(RenovationWorkflow.view)


async def refused(update, action, handle) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(update, action)
    return str(e.value.cause)


async def all_documents(stack: Stack, v) -> list:
    """The renovation's documents with its household letters, read from the merges' manifests."""
    from inspraak.activities.register import load_manifest
    from inspraak.activities.storage import build_store

    store = build_store(stack.settings)
    return [*v.documents, *[d for m in v.merges for d in await load_manifest(store, m.manifest)]]


async def letter(stack: Stack, v, doc_type: DocumentType, unit: str | None = None) -> str:
    (ref,) = [d for d in await all_documents(stack, v) if d.type == doc_type and d.household_id == unit]
    return text_of((stack.settings.documents_dir / ref.key).read_bytes())


async def test_the_whole_path_from_uitvoeringsgereed_to_gesloten_and_the_erasure(short: Stack):
    stack = short
    handle = await ready(stack)
    today = await stack.today()
    await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(started_on=today))
    assert (await view(handle)).state == State.UITVOERING
    units = [f"301-{i:03d}" for i in range(1, 13)]
    await pass_days(stack, 20)
    first = await stack.today()
    await handle.execute_update(RenovationWorkflow.complete_homes, HomesCompleted(unit_ids=units[:6],
                                                                                  completed_on=first))
    v = await view(handle)
    assert v.state == State.OPLEVERING
    term = next(t for t in v.deadlines if t.anchor == first and t.term == "rent_increase_after_works")
    for i in (1, 5):
        text = await letter(stack, v, DocumentType.OPLEVERINGSBRIEF, f"301-{i:03d}")
        assert f"Huurder Nummer {i}" in text and f"eenheid 301-{i:03d}" in text
        assert f"wordt uw huur {bedrag(Decimal(rent_after(i)))} per maand" in text
        assert f"Uw huur was {bedrag(Decimal(f'{700 + i}.50'))}" in text
        assert f"tot en met {datum_lang(term.due_on)}" in text and "artikel 7:255 lid 2 Burgerlijk Wetboek" in text
    assert all(d.visibility == Visibility.HOUSEHOLD for d in await all_documents(stack, v)
               if d.type == DocumentType.OPLEVERINGSBRIEF and d.household_id)
    await pass_days(stack, 7)
    await handle.execute_update(RenovationWorkflow.complete_homes, HomesCompleted(
        unit_ids=units[6:], completed_on=await stack.today()))
    await handle.execute_update(RenovationWorkflow.settle_rent, RentSettled(
        unit_ids=units[:10], outcome="agreed", recorded_on=await stack.today()))
    await handle.execute_update(RenovationWorkflow.settle_rent, RentSettled(
        unit_ids=units[10:], outcome="disputed", recorded_on=await stack.today()))
    v = await view(handle)
    assert v.state == State.HUURAANPASSING
    assert v.works_totals is not None and (v.works_totals.rent_agreed, v.works_totals.rent_disputed) == (10, 2)
    assert all(t.status == "met" for t in v.deadlines if t.term == "rent_increase_after_works")

    await handle.execute_update(RenovationWorkflow.record_evaluation, EvaluationRecorded(
        held_on=await stack.today(), attendees=["Voorzitter", "Sanne Behandelaar"], went_well=["De planning"],
        to_improve=["Eerder informeren"], agreements=[Agreement(what="Lessen delen", owner="Sanne")]))
    v = await view(handle)
    assert v.state == State.EVALUATIE
    verslag = await letter(stack, v, DocumentType.EVALUATIEVERSLAG)
    assert "Van de 12 woningen zijn er 12 opgeleverd" in verslag and "De planning" in verslag

    await handle.execute_update(RenovationWorkflow.dissolve_panel, PanelDissolved(
        dissolved_on=await stack.today(), archive="het projectarchief, Havenstraat 1"))
    v = await view(handle)
    assert v.state == State.PANEL_OPGEHEVEN
    member = await letter(stack, v, DocumentType.OPHEFFING_PANEL, "301-002")  # the one member: a bewonerscommissie
    assert "Huurder Nummer 2" in member
    assert "De bewonerscommissie zelf blijft bestaan" in member and "Alleen die projectafspraken stoppen" in member
    assert "het projectarchief, Havenstraat 1." in member
    copy = await letter(stack, v, DocumentType.OPHEFFING_PANEL)
    assert "Bewonerscommissie De Molen" in copy and "Huurder Nummer" not in copy

    result = await handle.execute_update(RenovationWorkflow.close, ProjectClosed())
    assert result.state == State.GESLOTEN and result.term is not None
    assert result.term.term == "personal_data_retention"

    # The erasure: refused within the retention term, then every letter to a household goes, the archive stays.
    assert f"until {result.term.due_on.isoformat()}" in await refused(
        RenovationWorkflow.erase_personal_data, PersonalDataErased(), handle)
    v = await view(handle)
    households = [d for d in await all_documents(stack, v) if d.household_id or d.type == DocumentType.PRINTBESTAND]
    kept = [d for d in v.documents if d.type in (DocumentType.EVALUATIEVERSLAG, DocumentType.OPHEFFING_PANEL,
                                                 DocumentType.UITSLAG_DRAAGVLAK) and not d.household_id]
    assert {d.type for d in households} >= {DocumentType.OPLEVERINGSBRIEF, DocumentType.OPHEFFING_PANEL}
    assert list(stack.outbox.glob(f"{handle.id}.*opleveringsbrief*.household.eml"))
    await pass_until(stack, result.term.due_on + timedelta(days=1))
    await handle.execute_update(RenovationWorkflow.erase_personal_data, PersonalDataErased())
    assert not any((stack.settings.documents_dir / d.key).exists() for d in households)
    assert all((stack.settings.documents_dir / d.key).exists() for d in kept) and len(kept) == 3
    assert not list(stack.outbox.glob(f"{handle.id}.*.household.eml"))
    await settled(handle)  # the erasure continues as new: ask once the new run is there
    v = await view(handle)
    assert v.state == State.GESLOTEN and v.erasure is not None and v.execution is None
    assert v.works_totals is not None and (v.works_totals.completed, v.works_totals.rent_agreed) == (12, 10)


async def test_the_three_months_run_per_home_from_its_own_completion_date_bw_7_255_lid_2(stack: Stack):
    handle = await ready(stack)
    await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(started_on=await stack.today()))
    await pass_days(stack, 3)
    first = await stack.today()
    await handle.execute_update(RenovationWorkflow.complete_homes, HomesCompleted(
        unit_ids=["301-001", "301-002"], completed_on=first))
    await pass_days(stack, 10)
    second = await stack.today()
    await handle.execute_update(RenovationWorkflow.complete_homes, HomesCompleted(
        unit_ids=[f"301-{i:03d}" for i in range(3, 13)], completed_on=second))
    v = await view(handle)
    terms = {t.anchor: t for t in v.deadlines if t.term == "rent_increase_after_works"}
    assert set(terms) == {first, second}
    for day, term in terms.items():
        assert term.article == "artikel 7:255 lid 2 Burgerlijk Wetboek"
        months = (term.unextended_due_on.year - day.year) * 12 + term.unextended_due_on.month - day.month
        assert months == 3 and term.due_on >= term.unextended_due_on  # the Atw may move the end, never earlier
    await handle.execute_update(RenovationWorkflow.settle_rent, RentSettled(
        unit_ids=["301-001"], outcome="agreed", recorded_on=await stack.today()))
    # Two months on, the owner hears about the home of the first group without a settled rent.
    await pass_until(stack, terms[first].rungs[0].on + timedelta(days=1))
    v = await view(handle)
    assert [e.text for e in v.timeline if e.event == "alert_month_2"][0].startswith("Twee maanden na oplevering")
    assert all(e.visibility == Visibility.STAFF for e in v.timeline if e.event == "alert_month_2")
    # The first group's term ends on its own due_on; the second group's still runs.
    await pass_until(stack, terms[first].due_on)
    assert (await view(handle)).execution.home("301-002").rent == RentOutcome.OPEN
    late = await refused(RenovationWorkflow.settle_rent, RentSettled(
        unit_ids=["301-002"], outcome="disputed", recorded_on=terms[first].due_on + timedelta(days=1)), handle)
    assert "future" in late
    await pass_until(stack, terms[first].due_on + timedelta(days=1))
    v = await view(handle)
    assert v.execution.home("301-002").rent == RentOutcome.TERM_ENDED
    assert v.execution.home("301-003").rent == RentOutcome.OPEN
    assert v.state == State.OPLEVERING
    running = {t.anchor: t.status for t in v.deadlines if t.term == "rent_increase_after_works"}
    assert running == {first: "expired", second: "running"}
    late = await refused(RenovationWorkflow.settle_rent, RentSettled(
        unit_ids=["301-002"], outcome="disputed", recorded_on=await stack.today()), handle)
    assert "BW 7:255 lid 2" in late
    await pass_until(stack, terms[second].due_on + timedelta(days=1))
    v = await view(handle)
    assert v.state == State.HUURAANPASSING and v.works_totals.rent_term_ended == 11


async def test_dates_and_order_are_checked(stack: Stack):
    handle = await ready(stack)
    today = await stack.today()
    assert "future" in await refused(RenovationWorkflow.start_works,
                                     WorksStarted(started_on=today + timedelta(days=1)), handle)
    assert "UITVOERINGSGEREED" in await refused(RenovationWorkflow.complete_homes,
                                                HomesCompleted(unit_ids=["301-001"], completed_on=today), handle)
    await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(started_on=today))
    assert "future" in await refused(RenovationWorkflow.complete_homes, HomesCompleted(
        unit_ids=["301-001"], completed_on=today + timedelta(days=1)), handle)
    assert "started on" in await refused(RenovationWorkflow.complete_homes, HomesCompleted(
        unit_ids=["301-001"], completed_on=today - timedelta(days=1)), handle)
    assert "not on this renovation" in await refused(RenovationWorkflow.complete_homes, HomesCompleted(
        unit_ids=["999"], completed_on=today), handle)
    assert "UITVOERING" in await refused(RenovationWorkflow.settle_rent, RentSettled(
        unit_ids=["301-001"], outcome="agreed", recorded_on=today), handle)


async def test_unoccupied_works_confirm_the_allowance_of_that_year_and_the_wisselwoning(stack: Stack):
    handle = await ready(stack, occupied=False)
    today = await stack.today()
    higher = MovingAllowance(amount=Decimal("7900.00"), valid_from=today.replace(month=1, day=1),
                             valid_until=today.replace(month=12, day=31))
    await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(started_on=today,
                                                                             moving_allowance=higher))
    v = await view(handle)
    assert v.execution.moving_allowance.amount == Decimal("7900.00")
    assert v.execution.temporary_home == "Molenweg 90, gemeubileerd, 65 m2"
    assert any(e.event == "moving_allowance" and bedrag(Decimal("7900")) in e.text for e in v.timeline)


async def test_a_home_blocked_by_a_court_case_gets_no_start_no_completion_and_does_not_hold_up_the_rest(
        stack: Stack, monkeypatch: pytest.MonkeyPatch):
    # The objection phase answers works_blocked; here a stand-in blocks one home.
    blocked = {"301-003"}
    monkeypatch.setattr(RenovationState, "works_blocked", lambda self, unit: unit in blocked)
    handle = await ready(stack)
    today = await stack.today()
    await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(started_on=today))
    v = await view(handle)
    assert v.execution.home("301-003").started_on is None and v.execution.home("301-004").started_on == today
    assert "blocked" in await refused(RenovationWorkflow.complete_homes, HomesCompleted(
        unit_ids=["301-003"], completed_on=today), handle)
    others = [f"301-{i:03d}" for i in range(1, 13) if i != 3]
    await handle.execute_update(RenovationWorkflow.complete_homes, HomesCompleted(unit_ids=others,
                                                                                  completed_on=today))
    v = await view(handle)
    assert not [d for d in await all_documents(stack, v)
            if d.type == DocumentType.OPLEVERINGSBRIEF and d.household_id == "301-003"]
    await handle.execute_update(RenovationWorkflow.settle_rent, RentSettled(unit_ids=others, outcome="agreed",
                                                                            recorded_on=today))
    assert (await view(handle)).state == State.HUURAANPASSING
    # The court case ends: the home's works come before the evaluation.
    blocked.clear()
    evaluation = EvaluationRecorded(held_on=today, attendees=["Voorzitter"])
    assert "301-003" in await refused(RenovationWorkflow.record_evaluation, evaluation, handle)
    await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(started_on=today, unit_ids=["301-003"]))
    await handle.execute_update(RenovationWorkflow.complete_homes, HomesCompleted(unit_ids=["301-003"],
                                                                                  completed_on=today))
    v = await view(handle)
    assert v.state == State.OPLEVERING
    assert [d for d in await all_documents(stack, v)
            if d.type == DocumentType.OPLEVERINGSBRIEF and d.household_id == "301-003"]
    assert next(t for t in v.deadlines if t.anchor == today and t.term == "rent_increase_after_works").status \
        == "running"  # the group's term was met; it runs again for the late home
    await handle.execute_update(RenovationWorkflow.settle_rent, RentSettled(unit_ids=["301-003"], outcome="agreed",
                                                                            recorded_on=today))
    assert (await view(handle)).state == State.HUURAANPASSING
    await handle.execute_update(RenovationWorkflow.record_evaluation, evaluation)


async def test_erasure_is_refused_within_the_retention_term_and_keeps_only_totals_after_it(short: Stack):
    stack = short
    handle = await ready(stack)
    before = await view(handle)
    result = await handle.execute_update(RenovationWorkflow.stop, Stopped(reason="gemeente trekt subsidie in"))
    assert result.state == State.GESTOPT and result.term is not None
    until = result.term.due_on
    assert until >= await stack.today() + timedelta(days=28)  # one month on this worker
    early = await refused(RenovationWorkflow.erase_personal_data, PersonalDataErased(), handle)
    assert f"until {until.isoformat()}" in early
    household_docs = [d for d in await all_documents(stack, before)
                      if d.household_id or d.type == DocumentType.PRINTBESTAND]
    assert household_docs and all((stack.settings.documents_dir / d.key).exists() for d in household_docs)
    mails = list(stack.outbox.glob(f"{handle.id}.*.household.eml"))
    assert mails
    first_run = (await handle.describe()).run_id

    await pass_until(stack, until + timedelta(days=1))
    assert any(e.event == "retention_ended" for e in (await view(handle)).timeline)
    await handle.execute_update(RenovationWorkflow.erase_personal_data, PersonalDataErased())
    documents = stack.settings.documents_dir / "trajectories" / handle.id
    assert not (documents / "register").exists() or not any((documents / "register").iterdir())
    assert not any((documents / "proposals").glob("*.json"))
    assert not any((stack.settings.documents_dir / d.key).exists() for d in household_docs)
    assert not list(stack.outbox.glob(f"{handle.id}.*.household.eml"))
    uitslag = [d for d in before.documents if d.type == DocumentType.UITSLAG_DRAAGVLAK]
    assert uitslag and (stack.settings.documents_dir / uitslag[0].key).exists()  # names no household: kept

    for _ in range(100):  # the erasure continues as new: a run whose history holds only totals
        if (await handle.describe()).run_id != first_run:
            break
        await pass_days(stack, 0.0001)
    await settled(handle)
    v = await view(handle)
    assert v.state == State.GESTOPT and v.erasure is not None and v.homes == 12
    assert v.tally is not None and v.tally.agreed == 12
    assert "301-0" not in v.model_dump_json() and "Huurder Nummer" not in v.model_dump_json()
    history = await history_text(handle)
    assert (await handle.describe()).run_id != first_run
    assert "301-0" not in history
    again = await refused(RenovationWorkflow.erase_personal_data, PersonalDataErased(), handle)
    assert "erased on" in again
