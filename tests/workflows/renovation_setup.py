"""Starting a renovation the way the API does (register stored first, only its key in the input), for tests."""

import uuid
from typing import Any

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


def new_renovation(status: PanelLegalStatus = PanelLegalStatus.BC_WOHV) -> NewRenovation:
    return NewRenovation(
        complex=Complex(id="301", name="Complex 301 De Molen", address="Molenweg 1-95, Voorbeeldstad",
                        units_in_complex=48),
        subject="Renovatie complex 301 De Molen", description="Isolatie, kozijnen en badkamers.",
        reason="De woningen zijn ruim vijftig jaar oud.",
        works=Works(renovation="Isolatie en nieuwe kozijnen", maintenance="Schilderwerk"), occupied=True,
        panel_legal_status=status)


async def start_renovation(client: Client, settings: Settings, homes: int = 40,
                           status: PanelLegalStatus = PanelLegalStatus.BC_WOHV,
                           with_search_attributes: bool = False) -> WorkflowHandle[Any, Any]:
    directory = load_directory(settings.organisations_file)
    households = parse_households(households_csv(homes))
    body = new_renovation(status)
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
                                        manager_email=c.manager_email, signatories=c.signatories),
        owner=StaffMember(name="Sanne Behandelaar", email="sanne@voorbeeldhaven.nl"), register_ref=register)
    state = initial_state(inp)
    return await client.start_workflow(
        RenovationWorkflow.run, inp, id=wf_id, task_queue=settings.task_queue,
        search_attributes=names.search_attributes(state) if with_search_attributes else None,
        memo=names.memo(state))


async def with_active_panel(client: Client, settings: Settings, homes: int,
                            with_search_attributes: bool = False) -> WorkflowHandle[Any, Any]:
    """A renovation whose households were invited and whose panel (one member) is active."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from inspraak.domain.renovation_actions import Invite, MemberChosen, PanelConstituted, SignUpRecorded

    handle = await start_renovation(client, settings, homes, with_search_attributes=with_search_attributes)
    view = await handle.query(RenovationWorkflow.view)
    today = view.timeline[0].at.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    await handle.execute_update(RenovationWorkflow.invite, Invite(
        kickoff_at=datetime.combine(today + timedelta(days=10), time(19, 30), ZoneInfo("Europe/Amsterdam")),
        kickoff_place="buurthuis De Wieken", sign_up_deadline=today + timedelta(days=21)))
    await handle.execute_update(RenovationWorkflow.record_sign_up, SignUpRecorded(unit_id="301-002",
                                                                                  signed_up_on=today))
    await handle.execute_update(RenovationWorkflow.constitute_panel, PanelConstituted(
        legal_status=PanelLegalStatus.BC_WOHV, members=[MemberChosen(unit_id="301-002", role="voorzitter")],
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
                              with_search_attributes: bool = False) -> WorkflowHandle[Any, Any]:
    """A renovation in the state where staff may send the proposals (B9). Every test that needs a vote starts
    here, so the way there (today: an active panel) is written once."""
    return await with_active_panel(client, settings, homes, with_search_attributes=with_search_attributes)


async def voting_renovation(client: Client, settings: Settings, homes: int, today: Any,
                            occupied: bool = True) -> WorkflowHandle[Any, Any]:
    """A renovation whose proposals went out (version 1) and whose vote is open."""
    handle = await ready_for_proposals(client, settings, homes)
    await handle.execute_update(RenovationWorkflow.send_proposals,
                                await proposal(settings, handle, homes, today, occupied=occupied))
    return handle


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

    if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
        return
    view = await handle.query(RenovationWorkflow.view)
    if view.state not in FINAL_STATES:
        with contextlib.suppress(WorkflowUpdateFailedError, RPCError):
            await handle.execute_update(RenovationWorkflow.stop, Stopped(reason="test finished"))
    with contextlib.suppress(RPCError):
        await handle.cancel()
    for _ in range(600):
        if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            return
        await asyncio.sleep(0.05)
