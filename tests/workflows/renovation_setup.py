"""Starting a renovation the way the API does (register stored first, only its key in the input), for tests."""

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.client import Client, WorkflowHandle

from inspraak.activities.register import store_register
from inspraak.activities.storage import build_store
from inspraak.domain.advice_actions import CorporationSnapshot, OrganisationSnapshot, StaffMember
from inspraak.domain.households import Complex, parse_households
from inspraak.domain.panel import PanelLegalStatus, advice_addressee, complex_flags
from inspraak.domain.renovation import NewRenovation, RenovationInput, initial_state
from inspraak.domain.renovation_actions import Works
from inspraak.services.directory import load_directory
from inspraak.settings import Settings
from inspraak.workflows import names
from inspraak.workflows.renovation import RenovationWorkflow


def households_csv(n: int, every_other_email: bool = True) -> str:
    rows = ["eenheid;adres;huurder;medehuurder;contractnummer;huur;email;telefoon"]
    for i in range(1, n + 1):
        email = f"huurder{i}@example.nl" if every_other_email and i % 2 == 0 else ""
        co = f"B. Partner-{i}" if i % 3 == 0 else ""
        rows.append(f"301-{i:03d};Molenweg {i}, 1236 EF Voorbeeldstad;Huurder Nummer {i};{co};HO-{i:05d};"
                    f"{700 + i},50;{email};")
    return "\n".join(rows) + "\n"


MOLEN = Complex(id="301", name="Complex 301 De Molen", address="Molenweg 1-95, Voorbeeldstad", units_in_complex=48)
# A complex without a bewonerscommissie: a klantenpanel's advice request goes to the huurdersorganisatie (Wohv
# art. 2 lid 2-3), hv-eendracht, which agreed an advice term of 8 weeks (Wohv art. 6).
VISSERSBUURT = Complex(id="101", name="Complex 101 Vissersbuurt", address="Visserslaan 1-80, Voorbeeldstad",
                       units_in_complex=80)


def new_renovation(status: PanelLegalStatus = PanelLegalStatus.BC_WOHV, complex_: Complex = MOLEN) -> NewRenovation:
    return NewRenovation(
        complex=complex_,
        subject="Renovatie complex 301 De Molen", description="Isolatie, kozijnen en badkamers.",
        reason="De woningen zijn ruim vijftig jaar oud.",
        works=Works(renovation="Isolatie en nieuwe kozijnen", maintenance="Schilderwerk"), occupied=True,
        panel_legal_status=status)


async def start_renovation(client: Client, settings: Settings, homes: int = 40,
                           status: PanelLegalStatus = PanelLegalStatus.BC_WOHV,
                           with_search_attributes: bool = False, complex_: Complex = MOLEN,
                           emails: bool = True) -> WorkflowHandle[Any, Any]:
    directory = load_directory(settings.organisations_file)
    households = parse_households(households_csv(homes, every_other_email=emails))
    body = new_renovation(status, complex_)
    flags = complex_flags(body.complex, households)
    addressee = advice_addressee(directory, body.complex, status, flags)
    org = directory.get(addressee.organisation_id)
    assert org is not None
    c = directory.corporation
    wf_id = f"ren-test-{uuid.uuid4().hex[:10]}"
    register = await store_register(build_store(settings), wf_id, households)
    inp = RenovationInput(
        id=wf_id, renovation=body, flags=flags, addressee=addressee,
        organisation=OrganisationSnapshot(id=org.id, name=org.name, kind=org.kind, contacts=org.contacts),
        corporation=CorporationSnapshot(name=c.name, email=c.email, phone=c.phone, manager_name=c.manager_name,
                                        manager_email=c.manager_email, legal_name=c.legal_name,
                                        legal_email=c.legal_email, signatories=c.signatories),
        owner=StaffMember(name="Sanne Behandelaar", email="sanne@voorbeeldhaven.nl"), register_ref=register)
    state = initial_state(inp)
    return await client.start_workflow(
        RenovationWorkflow.run, inp, id=wf_id, task_queue=settings.task_queue,
        search_attributes=names.search_attributes(state) if with_search_attributes else None,
        memo=names.memo(state))


async def household_letters(settings: Settings, view: Any, doc_type: Any) -> list[Any]:
    """The household letters of ``doc_type`` a renovation's mail merges made, read from their manifests in the
    store (the state keeps counts and the manifest's key, not a reference per household)."""
    from inspraak.activities.register import load_manifest

    store = build_store(settings)
    return [ref for merged in view.merges if merged.type == doc_type
            for ref in await load_manifest(store, merged.manifest)]


def invitation(today: Any) -> Any:
    """The Invite action of these tests: a kick-off in ten days, sign-ups for three weeks."""
    from datetime import datetime, time, timedelta

    from inspraak.domain.renovation_actions import Invite

    return Invite(kickoff_at=datetime.combine(today + timedelta(days=10), time(19, 30), ZoneInfo("Europe/Amsterdam")),
                  kickoff_place="buurthuis De Wieken", sign_up_deadline=today + timedelta(days=21))


async def with_active_panel(client: Client, settings: Settings, homes: int,
                            with_search_attributes: bool = False, status: PanelLegalStatus = PanelLegalStatus.BC_WOHV,
                            complex_: Complex = MOLEN, emails: bool = True,
                            members: tuple[str, ...] = ("301-002",)) -> WorkflowHandle[Any, Any]:
    """A renovation whose households were invited and whose panel (``members``; the first chairs it) is active."""
    from inspraak.domain.renovation_actions import MemberChosen, PanelConstituted, SignUpRecorded

    handle = await start_renovation(client, settings, homes, status, with_search_attributes, complex_, emails)
    view = await handle.query(RenovationWorkflow.view)
    today = view.timeline[0].at.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    await handle.execute_update(RenovationWorkflow.invite, invitation(today))
    for unit in members:
        await handle.execute_update(RenovationWorkflow.record_sign_up, SignUpRecorded(unit_id=unit,
                                                                                      signed_up_on=today))
    await handle.execute_update(RenovationWorkflow.constitute_panel, PanelConstituted(
        legal_status=status, members=[MemberChosen(unit_id=u, role="lid" if n else "voorzitter")
                                      for n, u in enumerate(members)],
        facilities="Een vergaderruimte.", working_agreements="Eens per zes weken.", constituted_on=today))
    return handle


def rent_after(i: int) -> str:
    """The rent after the works of home ``301-<i>`` in these tests: its rent now (700 + i + 0,50) plus 40 + i."""
    return f"{740 + 2 * i}.50"


async def proposal(settings: Settings, handle: WorkflowHandle[Any, Any], homes: int, today: Any,
                   version: int = 1, occupied: bool = True, reply_days: int = 14) -> Any:
    """The ProposalSent action staff make (through the API): figures stored first, only their key in it."""
    from datetime import timedelta
    from decimal import Decimal

    from inspraak.activities.register import store_json
    from inspraak.domain.moving_allowance import MovingAllowance
    from inspraak.domain.renovation_actions import ProposalSent, Works

    units = [f"301-{i:03d}" for i in range(1, homes + 1)]
    ref = await store_json(build_store(settings), f"trajectories/{handle.id}/proposals/v{version}-figures.json",
                           handle.id, {u: {"huur_nu": f"{700 + i}.50", "huur_nieuw": rent_after(i),
                                           "huurverhoging": f"{40 + i}.00"}
                                       for i, u in enumerate(units, start=1)})
    return ProposalSent(
        version=version, works=Works(renovation="Isolatie en nieuwe kozijnen", maintenance="Schilderwerk"),
        schedule="Start in maart; drie weken per woning.", occupied=occupied,
        temporary_home=None if occupied else "Molenweg 90, gemeubileerd, 65 m2",
        rent_increase_from=today + timedelta(days=120), reply_by=today + timedelta(days=reply_days),
        figures=ref, figure_units=units,
        moving_allowance=None if occupied else MovingAllowance(
            amount=Decimal("7500.00"), valid_from=today.replace(month=1, day=1),
            valid_until=today.replace(month=12, day=31)),
        reply_url="https://inspraak.example.nl/antwoord")


async def ready_for_proposals(client: Client, settings: Settings, homes: int,
                              with_search_attributes: bool = False, emails: bool = True) -> WorkflowHandle[Any, Any]:
    """A renovation in the state where staff may send the proposals (B9, VOORSTEL_DEFINITIEF). Every test that
    needs a vote starts here, so the way there is written once: an active panel, both plans handed in (B6), the
    advice request on them (B7), the addressee's advice, followed by staff, so it is executable at once (B8)."""
    handle = await with_active_panel(client, settings, homes, with_search_attributes=with_search_attributes,
                                     emails=emails)
    await hand_in_plans(settings, handle)
    child = await start_advice(client, settings, handle)
    await advice_followed(child)
    await reaches(handle, "VOORSTEL_DEFINITIEF")
    return handle


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def hand_in_plans(settings: Settings, handle: WorkflowHandle[Any, Any]) -> None:
    """B6 as the API does it: each plan stored first (a PDF, checked by its content), then handed in."""
    from inspraak.domain.renovation_actions import PlanHandedIn, PlanKind
    from inspraak.domain.renovation_advice_letters import PLAN_NAMES
    from inspraak.services.api.uploads import checked_upload, store_upload

    view = await handle.query(RenovationWorkflow.view)
    for kind in PlanKind:
        data = PDF + kind.value.encode()
        ref = await store_upload(build_store(settings), handle.id, view.organisation_id, data, checked_upload(data),
                                 PLAN_NAMES[kind])
        await handle.execute_update(RenovationWorkflow.hand_in_plan, PlanHandedIn(kind=kind, document=ref))


async def start_advice(client: Client, settings: Settings, handle: WorkflowHandle[Any, Any],
                       ends_on: Any = None) -> WorkflowHandle[Any, Any]:
    """B7 as the API does it (the same planning as any advice request's start); the child's handle."""
    from inspraak.domain.advice_actions import Category, NewAdviceRequest
    from inspraak.domain.renovation_actions import AdviceRequestStart
    from inspraak.services.api.advice_start import advice_request_input

    view = await handle.query(RenovationWorkflow.view)
    directory = load_directory(settings.organisations_file)
    org = directory.get(view.addressee.organisation_id)
    assert org is not None
    # The workflow clock (the time-skipping server's, not the machine's): the renovation's latest event.
    now = max(e.at for e in view.timeline)
    request = NewAdviceRequest(
        organisation_id=org.id, subject="Projectplan en sociaal plan", category=Category.b,
        intention="Wij willen het complex renoveren.", reasons="De woningen zijn verouderd.",
        consequences="Tijdelijke overlast; huurverhoging na de werkzaamheden.",
        information_provided_on=now.astimezone(ZoneInfo("Europe/Amsterdam")).date(),
        advice_term_ends_on=ends_on)
    child_id = f"adv-test-{uuid.uuid4().hex[:10]}"
    inp = advice_request_input(child_id, request, org, directory, StaffMember(
        name="Sanne Behandelaar", email="sanne@voorbeeldhaven.nl"), settings, now)
    await handle.execute_update(RenovationWorkflow.start_advice_request, AdviceRequestStart(request=inp))
    return client.get_workflow_handle(child_id)


async def advice_followed(child: WorkflowHandle[Any, Any]) -> None:
    """The addressee hands in its advice; staff follow it: executable at once (no time passes)."""
    from inspraak.domain.advice_actions import (
        Actor,
        AdvicePoint,
        AdviceReceived,
        Decision,
        DecisionTaken,
        PointDecision,
    )
    from inspraak.workflows.advice_request import AdviceRequestWorkflow

    view = await child.query(AdviceRequestWorkflow.view)
    await child.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
        received_on=view.information_provided_on, points=[AdvicePoint(summary="Graag een modelwoning.")],
        actor=Actor(role="organisation", name=view.organisation_name)))
    await child.execute_update(AdviceRequestWorkflow.decide, DecisionTaken(
        decision=Decision.FOLLOWED, points=[PointDecision(adopted="ja")],
        actor=Actor(role="staff", name="Sanne Behandelaar")))


async def reaches(handle: WorkflowHandle[Any, Any], state: str, timeout: float = 30) -> Any:
    """The renovation's view once it is in ``state`` (the child's news arrives by signal, a moment later)."""
    import asyncio

    for _ in range(int(timeout / 0.05)):
        view = await handle.query(RenovationWorkflow.view)
        if view.state == state:
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} is in {view.state}, not {state}: {[e.event for e in view.timeline]}")


async def voting_renovation(client: Client, settings: Settings, homes: int, today: Any,
                            occupied: bool = True) -> WorkflowHandle[Any, Any]:
    """A renovation whose proposals went out (version 1) and whose vote is open."""
    handle = await ready_for_proposals(client, settings, homes)
    await handle.execute_update(RenovationWorkflow.send_proposals,
                                await proposal(settings, handle, homes, today, occupied=occupied))
    return handle


async def history_runs(client: Client, workflow_id: str, first_run_id: str) -> list[tuple[int, int]]:
    """(events, bytes) of every run of a workflow, following its continue-as-new chain from the first run."""
    from temporalio.api.enums.v1 import EventType

    out = []
    run_id: str | None = first_run_id
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        out.append((len(history.events), sum(e.ByteSize() for e in history.events)))
        last = history.events[-1]
        run_id = (last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
                  if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW else None)
    return out


async def ready_for_works(client: Client, settings: Settings, homes: int, today: Any, occupied: bool = True,
                          pass_until: Any = None) -> WorkflowHandle[Any, Any]:
    """A renovation in UITVOERINGSGEREED: every home agreed (BW 7:220 lid 2), the reply date passed, the count
    closed. ``pass_until(day)`` moves the test server's clock (tests/workflows/conftest.py)."""
    from datetime import timedelta

    from inspraak.domain.renovation_actions import AnswerRecorded, VoteClosed
    from inspraak.domain.vote import Choice

    handle = await voting_renovation(client, settings, homes, today, occupied=occupied)
    for i in range(1, homes + 1):
        await handle.execute_update(RenovationWorkflow.record_answer, AnswerRecorded(
            unit_id=f"301-{i:03d}", choice=Choice.AGREED, channel="paper", answered_on=today))
    view = await handle.query(RenovationWorkflow.view)
    await pass_until(view.proposal.reply_by + timedelta(days=1))
    await handle.execute_update(RenovationWorkflow.close_vote, VoteClosed())
    return handle


async def end_renovation(handle: WorkflowHandle[Any, Any]) -> None:
    """End a test's renovation: stop it when still open, then cancel it (its activities are cancelled with it;
    terminating one with an activity in flight stops the time-skipping server from skipping). A closed or
    stopped renovation keeps running for its retention term (docs/renovation-works.md); its timer would hold
    the shared time-skipping clock once the test's worker is gone."""
    import asyncio
    import contextlib

    from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError
    from temporalio.service import RPCError

    from inspraak.domain.renovation import FINAL_STATES
    from inspraak.domain.renovation_actions import Stopped
    from tests.workflows.conftest import settled

    if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
        return
    await settled(handle)  # an erasure continues as new: a query that meets it stalls the time-skipping server
    view = await handle.query(RenovationWorkflow.view)
    if view.state not in FINAL_STATES:
        with contextlib.suppress(WorkflowUpdateFailedError, RPCError):
            await handle.execute_update(RenovationWorkflow.stop, Stopped(reason="test finished"))
        await settled(handle)
    # A child that completes after its parent stops the time-skipping server from skipping: let the advice
    # requests (withdrawn by the stop, or carried out already) finish first.
    after = await handle.query(RenovationWorkflow.view)
    for link in [after.advice_request, *after.earlier_advice_requests]:
        if link is None or not link.ending:
            continue
        child = handle._client.get_workflow_handle(link.id)  # the handle's own client (no public attribute)
        for _ in range(600):
            if (await child.describe()).status != WorkflowExecutionStatus.RUNNING:
                break
            await asyncio.sleep(0.05)
    with contextlib.suppress(RPCError):
        await handle.cancel()
    for _ in range(600):
        if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            return
        await asyncio.sleep(0.05)
