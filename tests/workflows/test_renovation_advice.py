"""The renovation's projectplan, sociaal plan and their advice request (domain brief 7.2 B6-B8; Wohv art. 2
lid 2-3, art. 5) on the time-skipping server: the child advice request to the right organisation, the
renovation waiting for it and showing its state, stopping withdraws it."""

import asyncio
import io
from datetime import timedelta

import pytest
from docx import Document
from temporalio.client import WorkflowUpdateFailedError

from inspraak.domain.advice import ExecutableBecause
from inspraak.domain.advice import State as AdviceState
from inspraak.domain.advice_actions import (
    AdvicePoint,
    AdviceReceived,
    Category,
    Decision,
    DecisionTaken,
    DisputeFiled,
    DisputeResolved,
    Forum,
    NewAdviceRequest,
    PointDecision,
    ReceiptConfirmed,
    ReplyReceived,
    StaffMember,
    TermExtended,
    Withdrawn,
)
from inspraak.domain.documents import DocumentType
from inspraak.domain.panel import PanelLegalStatus
from inspraak.domain.renovation import State
from inspraak.domain.renovation_actions import AdviceRequestStart, PlanHandedIn, PlanKind, Stopped
from inspraak.services.api.advice_start import advice_request_input
from inspraak.services.directory import load_directory
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from inspraak.workflows.renovation import RenovationWorkflow
from tests.workflows.conftest import Stack, finished, pass_until
from tests.workflows.renovation_setup import (
    VISSERSBUURT,
    end_renovation,
    hand_in_plans,
    proposal,
    reaches,
    start_advice,
    with_active_panel,
)

OPEN: list = []


@pytest.fixture(autouse=True)
async def stop_what_is_left(stack: Stack):
    """A renovation a failed test left running is stopped (which withdraws its advice request), so no timer
    of it holds the shared time-skipping clock."""
    yield
    while OPEN:
        handle = OPEN.pop()
        await end_renovation(handle)


async def panel(stack: Stack, **kw):
    handle = await with_active_panel(stack.client, stack.settings, 12, **kw)
    OPEN.append(handle)
    return handle


async def refused(handle, update, action, cause_type: str = "TransitionRefused") -> str:
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(update, action)
    assert e.value.cause.type == cause_type, e.value.cause
    return str(e.value.cause.message)


async def advice_view(child):
    """The advice request's view once its opening letter is made."""
    for _ in range(600):
        view = await child.query(AdviceRequestWorkflow.view)
        if view.documents and view.timeline[-1].event != "sent":
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"{child.id} made no letter")


async def seen_by_renovation(handle, state: AdviceState, timeout: float = 30):
    """The renovation's view once it shows its advice request in ``state`` (news comes by signal)."""
    for _ in range(int(timeout / 0.05)):
        view = await handle.query(RenovationWorkflow.view)
        if view.advice_request is not None and view.advice_request.state == state:
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"the renovation shows {view.advice_request}")


def text_of(stack: Stack, key: str) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO((stack.settings.documents_dir / key).read_bytes())).paragraphs)


async def test_bc_wohv_plans_go_to_the_bewonerscommissie_and_the_renovation_waits_for_the_3_days_wohv_art_5_lid_3_c(
        stack: Stack):
    handle = await panel(stack)
    today = await stack.today()
    # B8 comes first: no proposals before the advice request on the plans is executable.
    message = await refused(handle, RenovationWorkflow.send_proposals,
                            await proposal(stack.settings, handle, 12, today))
    assert "artikel 5 lid 3" in message

    await hand_in_plans(stack.settings, handle)  # B6
    view = await handle.query(RenovationWorkflow.view)
    assert view.state == State.CONCEPT_PROJECTPLAN and set(view.plans) == set(PlanKind)

    child = await start_advice(stack.client, stack.settings, handle)  # B7
    view = await handle.query(RenovationWorkflow.view)
    assert view.state == State.ADVIESTRAJECT
    assert view.advice_request is not None and view.advice_request.id == child.id
    a = await advice_view(child)
    # The renovation's addressee: the bewonerscommissie of complex 301 (Wohv art. 1 lid 1 g, art. 5).
    assert a.organisation_id == view.addressee.organisation_id == "bc-de-molen"
    assert a.parent_id == handle.id and a.category == "b"
    # The plans are the request's annexes: on its page, and listed in the letter.
    assert {d.id for d in a.documents} >= {d.id for d in view.plans.values()}
    (letter,) = [d for d in a.documents if d.type == DocumentType.ADVIESAANVRAAG]
    text = text_of(stack, letter.key)
    assert "Bijlagen" in text and "Conceptprojectplan" in text and "Sociaal plan" in text
    # At least six weeks, planned as any advice request's start (Wohv art. 5 lid 1).
    assert view.advice_request.due_on == a.deadlines[0].due_on >= today + timedelta(days=42)

    # The renovation keeps showing the request's state and due date.
    await child.execute_update(AdviceRequestWorkflow.confirm_receipt, ReceiptConfirmed(received_on=today))
    await seen_by_renovation(handle, AdviceState.IN_BEHANDELING)
    later = a.deadlines[0].due_on + timedelta(days=14)
    await child.execute_update(AdviceRequestWorkflow.extend_term, TermExtended(new_end=later, reason="overleg"))
    for _ in range(200):
        if (await handle.query(RenovationWorkflow.view)).advice_request.due_on >= later:
            break
        await asyncio.sleep(0.05)
    assert (await handle.query(RenovationWorkflow.view)).advice_request.due_on >= later

    # Advice not followed: the motivated reply, its receipt, then three days (Wohv art. 5 lid 2, lid 3 c).
    await child.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
        received_on=today, points=[AdvicePoint(summary="Geen huurverhoging")]))
    await child.execute_update(AdviceRequestWorkflow.decide, DecisionTaken(
        decision=Decision.NOT_FOLLOWED, points=[PointDecision(adopted="nee", motivation="Niet te betalen.")]))
    await child.execute_update(AdviceRequestWorkflow.confirm_reply_receipt, ReplyReceived(received_on=today))
    view = await seen_by_renovation(handle, AdviceState.WACHTTIJD_3_DAGEN)
    assert view.state == State.ADVIESTRAJECT
    await refused(handle, RenovationWorkflow.send_proposals, await proposal(stack.settings, handle, 12, today))

    # The three days end on their own due date: the Atw moves it past a weekend or feestdag.
    wait = next(d for d in (await child.query(AdviceRequestWorkflow.view)).deadlines if d.term == "execution_wait")
    await pass_until(stack, wait.due_on + timedelta(days=1))
    view = await reaches(handle, State.VOORSTEL_DEFINITIEF)  # B8
    assert view.advice_request.state == AdviceState.UITVOERBAAR and view.advice_request.ready
    assert view.advice_request.because == ExecutableBecause.WACHTTIJD_VERSTREKEN
    assert any(e.event == "advice_executable" for e in view.timeline)
    await handle.execute_update(RenovationWorkflow.send_proposals,
                                await proposal(stack.settings, handle, 12, await stack.today()))
    assert (await handle.query(RenovationWorkflow.view)).state == State.DRAAGVLAKMETING


async def test_klantenpanel_plans_go_to_the_huurdersorganisatie_and_its_agreed_term_wohv_art_2_lid_2_3_art_5_lid_3_b(
        stack: Stack):
    handle = await panel(stack, status=PanelLegalStatus.KLANTENPANEL, complex_=VISSERSBUURT)
    today = await stack.today()
    await hand_in_plans(stack.settings, handle)
    child = await start_advice(stack.client, stack.settings, handle)
    a = await advice_view(child)
    # A klantenpanel has no Overlegwet rights and the complex has no bewonerscommissie: the HO gets it.
    assert a.organisation_id == "hv-eendracht"
    # hv-eendracht agreed 8 weeks (Wohv art. 6): planned as its own advice requests are.
    assert a.deadlines[0].due_on >= today + timedelta(weeks=8)
    view = await handle.query(RenovationWorkflow.view)
    assert view.organisation_id == "hv-eendracht" and view.advice_request.due_on == a.deadlines[0].due_on

    # No advice within the term: executable once it has passed (Wohv art. 5 lid 3 b).
    await pass_until(stack, a.deadlines[0].due_on + timedelta(days=1))
    view = await reaches(handle, State.VOORSTEL_DEFINITIEF)
    assert view.advice_request.because == ExecutableBecause.TERMIJN_VERSTREKEN


async def test_stopping_the_renovation_withdraws_its_advice_request_with_the_letter(stack: Stack):
    handle = await panel(stack)
    await hand_in_plans(stack.settings, handle)
    child = await start_advice(stack.client, stack.settings, handle)
    await handle.execute_update(RenovationWorkflow.stop, Stopped(reason="De gemeente trekt de subsidie in."))
    await finished(child)
    a = await advice_view(child)
    assert a.state == AdviceState.INGETROKKEN
    (letter,) = [d for d in a.documents if d.type == DocumentType.INTREKKING]
    assert "De gemeente trekt de subsidie in." in text_of(stack, letter.key)
    view = await handle.query(RenovationWorkflow.view)
    assert view.state == State.GESTOPT
    assert view.advice_request.state == AdviceState.INGETROKKEN and view.advice_request.final


async def test_a_withdrawn_advice_request_sends_the_renovation_back_and_a_new_one_may_start(stack: Stack):
    handle = await panel(stack)
    await hand_in_plans(stack.settings, handle)
    first = await start_advice(stack.client, stack.settings, handle)
    await first.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="Plannen worden herzien."))
    view = await reaches(handle, State.CONCEPT_PROJECTPLAN)
    assert view.advice_request.state == AdviceState.INGETROKKEN
    assert any(e.event == "advice_ended" for e in view.timeline)
    await hand_in_plans(stack.settings, handle)  # revised plans may come in before the new request
    second = await start_advice(stack.client, stack.settings, handle)
    view = await handle.query(RenovationWorkflow.view)
    assert view.state == State.ADVIESTRAJECT and view.advice_request.id == second.id != first.id
    assert [c.id for c in view.earlier_advice_requests] == [first.id]


async def test_stop_is_refused_while_a_dispute_keeps_the_advice_request_from_being_withdrawn(stack: Stack):
    handle = await panel(stack)
    await hand_in_plans(stack.settings, handle)
    child = await start_advice(stack.client, stack.settings, handle)
    await child.execute_update(AdviceRequestWorkflow.file_dispute, DisputeFiled(
        forum=Forum.HUURCOMMISSIE, filed_on=await stack.today(), description="Geen overleg"))
    for _ in range(200):
        if not (await handle.query(RenovationWorkflow.view)).advice_request.withdrawable:
            break
        await asyncio.sleep(0.05)
    assert "cannot be withdrawn" in await refused(handle, RenovationWorkflow.stop, Stopped(reason="x"))
    await child.execute_update(AdviceRequestWorkflow.resolve_dispute, DisputeResolved(
        resolved_on=await stack.today(), outcome="Ingetrokken"))


async def test_the_advice_request_goes_only_to_the_addressee_and_carries_its_plans(stack: Stack):
    handle = await panel(stack)
    await hand_in_plans(stack.settings, handle)
    other = await panel(stack, status=PanelLegalStatus.KLANTENPANEL, complex_=VISSERSBUURT)
    await hand_in_plans(stack.settings, other)
    # The plans of another renovation cannot be handed in here.
    foreign = (await other.query(RenovationWorkflow.view)).plans[PlanKind.PROJECTPLAN]
    await refused(handle, RenovationWorkflow.hand_in_plan, PlanHandedIn(kind=PlanKind.PROJECTPLAN, document=foreign),
                  "InvalidInput")
    # An advice request planned for another organisation is refused (Wohv art. 2 lid 2-3).
    child = await start_advice(stack.client, stack.settings, other)
    assert (await advice_view(child)).organisation_id == "hv-eendracht"
    directory = load_directory(stack.settings.organisations_file)
    org = directory.get("hv-eendracht")
    wrong = advice_request_input("adv-test-wrongaddr", NewAdviceRequest(
        organisation_id=org.id, subject="Projectplan", category=Category.b, intention="x", reasons="x",
        consequences="x", information_provided_on=await stack.today()), org, directory,
        StaffMember(name="S", email="s@example.nl"), stack.settings, await stack.env.get_current_time())
    assert "bc-de-molen" in await refused(handle, RenovationWorkflow.start_advice_request,
                                          AdviceRequestStart(request=wrong), "InvalidInput")
