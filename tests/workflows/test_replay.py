"""Replay guards: recorded histories of every workflow the worker registers must replay without change.

Agreements and their trajectories run for months; a change to the workflow code that alters its
commands breaks every running instance. The histories are recorded on the dev server with search
attributes on (as in production), along the longest paths:

    INSPRAAK_RECORD_HISTORIES=1 .venv/bin/python -m pytest tests/workflows/test_replay.py

and committed under ``tests/workflows/histories/`` as ``<workflow type>-<version>-<path>.json``. A change
that must alter the commands goes behind ``workflow.patched(...)``.

The dev server runs in real time, so the recording worker plans terms with a day lasting a fraction of
a second: a stand-in for the ``plan_term`` activity (same name, same input and output). Everything else
is real: the templates, storage, mail and the workflow code that is guarded.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from inspraak.activities.terms import PlanTermRequest
from inspraak.domain.advice import AdviceRequestInput, State, initial_state
from inspraak.domain.advice_actions import (
    AdvicePoint,
    AdviceReceived,
    Category,
    Closed,
    ConsentRecorded,
    CorporationSnapshot,
    Decision,
    DecisionTaken,
    DisputeFiled,
    DisputeResolved,
    Executed,
    Forum,
    NewAdviceRequest,
    OrganisationSnapshot,
    OverlegRequested,
    PointDecision,
    ReceiptConfirmed,
    ReplyReceived,
    StaffMember,
    TermExtended,
    Withdrawn,
)
from inspraak.domain.terms import TERMS, DeadlineSchedule, PlannedRung
from inspraak.services.directory import load_directory
from inspraak.services.worker.main import WORKFLOWS, build_activities, build_worker
from inspraak.settings import Settings
from inspraak.workflows import names
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from inspraak.workflows.config import KernelConfig, KernelConfigInterceptor

HISTORIES = Path(__file__).parent / "histories"
DAY = timedelta(milliseconds=400)  # a day of a term while recording on the real-time dev server


def recorded() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


@pytest.mark.parametrize("path", recorded(), ids=lambda p: p.stem)
async def test_recorded_history_replays_with_the_current_code(path: Path):
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter,
                        interceptors=[KernelConfigInterceptor(KernelConfig(search_attributes=True))])
    await replayer.replay_workflow(history)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.__name__)
def test_every_workflow_the_worker_registers_has_a_recorded_history(workflow: type):
    # Derived from the worker's own list: a new workflow without a recorded history fails here.
    assert any(p.stem.startswith(f"{workflow.__name__}-") for p in recorded()), (
        f"record a history for {workflow.__name__} (see this module's docstring)")


# ---- recording --------------------------------------------------------------------------------


def fast_schedule(rule_key: str, anchor: date, now: datetime, days: int | None = None) -> DeadlineSchedule:
    """A term of the real rule, with its instants a day = ``DAY`` apart from now."""
    rule = TERMS[rule_key]
    length = days if days is not None else rule.days
    expires_at = now + DAY * length
    rungs = []
    for r in rule.ladder:
        at = now + DAY * r.days if r.relative_to == "anchor" else expires_at - DAY * r.days
        rungs.append(PlannedRung(key=r.key, kind=r.kind, audience=r.audience, fire_at=at,
                                 on=anchor + timedelta(days=r.days)))
    return DeadlineSchedule(term=rule.key, name=rule.name, article=rule.article, anchor=anchor,
                            due_on=anchor + timedelta(days=length), unextended_due_on=anchor + timedelta(days=length),
                            expires_at=expires_at, rungs=sorted(rungs, key=lambda r: r.fire_at),
                            on_expiry=rule.on_expiry)


@activity.defn(name="plan_term")
async def fast_plan_term(req: PlanTermRequest) -> DeadlineSchedule:
    days = (req.requested_due_on - req.anchor).days if req.requested_due_on else None
    return fast_schedule(req.term, req.anchor, datetime.now(UTC), days)


Recorder = Callable[..., Awaitable[WorkflowHandle[Any, Any]]]


@pytest.fixture
async def recorder(dev_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Recorder]:
    settings = Settings(data_dir=tmp_path, task_queue=f"record-{uuid.uuid4().hex[:8]}")
    activities = [a for a in build_activities(settings) if getattr(a, "__name__", "") != "plan_term"]
    async with build_worker(dev_env.client, settings, [*activities, fast_plan_term]):
        yield lambda **kw: start(dev_env.client, settings, **kw)


async def start(client: Client, settings: Settings, *, consent: bool = False,
                days: int = 56) -> WorkflowHandle[Any, Any]:
    directory = load_directory(settings.organisations_file)
    org = directory.get("hv-eendracht")
    assert org is not None
    c = directory.corporation
    today = date.today()
    request = NewAdviceRequest(
        organisation_id=org.id, subject="Servicekosten 2027" if consent else "Nieuw onderhoudsbeleid",
        category=Category.j if consent else Category.a, intention="Wij willen het beleid wijzigen.",
        reasons="Omdat het nodig is.", consequences="Geen huurverhoging.", complexes=org.complexes[:1],
        information_provided_on=today, consent_requested=consent,
    )
    wf_id = f"adv-record-{uuid.uuid4().hex[:8]}"
    inp = AdviceRequestInput(
        id=wf_id, request=request,
        organisation=OrganisationSnapshot(id=org.id, name=org.name, kind=org.kind, contacts=org.contacts),
        corporation=CorporationSnapshot(name=c.name, email=c.email, manager_name=c.manager_name,
                                        manager_email=c.manager_email, signatories=c.signatories),
        owner=StaffMember(name="Sanne Behandelaar", email="sanne@voorbeeldhaven.nl"),
        term=fast_schedule("consent_term" if consent else "advice_term", today, datetime.now(UTC), days),
        minimum_term_days=56,
    )
    return await client.start_workflow(AdviceRequestWorkflow.run, inp, id=wf_id, task_queue=settings.task_queue,
                                       search_attributes=names.search_attributes(initial_state(inp)),
                                       memo=names.memo(initial_state(inp)))


async def until(handle: WorkflowHandle[Any, Any], check: Callable[[Any], bool], timeout: float = 90) -> None:
    for _ in range(int(timeout / 0.05)):
        if check(await handle.query(AdviceRequestWorkflow.view)):
            return
        await asyncio.sleep(0.05)
    v = await handle.query(AdviceRequestWorkflow.view)
    raise AssertionError(f"the workflow did not get there: {v.state} {[e.event for e in v.timeline]}")


def events(*names_: str) -> Callable[[Any], bool]:
    return lambda v: all(any(e.event == n for e in v.timeline) for n in names_)


async def save(handle: WorkflowHandle[Any, Any], name: str) -> None:
    history = await handle.fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(history.to_json(), encoding="utf-8")


recording = pytest.mark.skipif(not os.environ.get("INSPRAAK_RECORD_HISTORIES"),
                               reason="records histories on request only")


@recording
async def test_record_the_longest_advice_path(recorder: Recorder):
    """Receipt, overleg, both reminders and the overleg escalation, extension, advice, the reply's alerts and
    escalation, a partial reply, the 3-day wait, execution, a dispute after it, closing."""
    handle = await recorder()
    today = date.today()
    await handle.execute_update(AdviceRequestWorkflow.confirm_receipt, ReceiptConfirmed(received_on=today))
    await handle.execute_update(AdviceRequestWorkflow.request_overleg, OverlegRequested(requested_on=today))
    await until(handle, events("reminder_14", "reminder_7"))
    await handle.execute_update(AdviceRequestWorkflow.extend_term,
                                TermExtended(new_end=today + timedelta(days=70), reason="overleg"))
    await handle.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
        received_on=today, points=[AdvicePoint(summary="Meer groen"), AdvicePoint(summary="Geen huurverhoging")]))
    # The last rung of the reply's ladder (on a busy machine an earlier one may have been folded into it).
    await until(handle, events("escalation_day_12"))
    await handle.execute_update(AdviceRequestWorkflow.decide, DecisionTaken(decision=Decision.PARTLY, points=[
        PointDecision(adopted="ja"), PointDecision(adopted="nee", motivation="Niet betaalbaar.")]))
    await handle.execute_update(AdviceRequestWorkflow.confirm_reply_receipt, ReplyReceived(received_on=today))
    await until(handle, lambda v: v.state == State.UITVOERBAAR)
    await handle.execute_update(AdviceRequestWorkflow.record_execution, Executed(executed_on=today))
    await handle.execute_update(AdviceRequestWorkflow.file_dispute, DisputeFiled(
        forum=Forum.KANTONRECHTER, filed_on=today, description="Geen overleg gevoerd"))
    await handle.execute_update(AdviceRequestWorkflow.resolve_dispute,
                                DisputeResolved(resolved_on=today, outcome="Verzoek afgewezen"))
    await handle.execute_update(AdviceRequestWorkflow.close, Closed())
    await handle.result()
    await save(handle, "AdviceRequestWorkflow-v2-advice-full-path")


@recording
async def test_record_a_consent_request_that_expires_and_is_withdrawn(recorder: Recorder):
    """A consent request: reminders, expiry without consent (art. 5a, escalation), consent refused, withdrawal."""
    handle = await recorder(consent=True, days=20)
    await until(handle, lambda v: v.state == State.GEEN_INSTEMMING_ESCALATIE)
    await handle.execute_update(AdviceRequestWorkflow.record_consent,
                                ConsentRecorded(received_on=date.today(), given=False))
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="Nieuw voorstel volgt"))
    await handle.result()
    await save(handle, "AdviceRequestWorkflow-v2-consent-expired-withdrawn")


@recording
async def test_record_the_longest_renovation_path(dev_env: WorkflowEnvironment, tmp_path: Path):
    """Creation, the invitation of 12 households (letters, print file, mail), the sign-up reminder, two sign-ups,
    the panel with its confirmations, a meeting, both plans, the advice request on them as a child (advice not
    followed, the reply's receipt, the 3-day wait, executable: its news by signal), the proposals (unoccupied:
    wisselwoning and moving allowance), answers by staff and by code, the reply reminder to homes without an
    answer, the reply date passing, the count closed with the vote reached and its result letter, stop (which
    withdraws the advice request by signal), the retention term (0 months when recording), the erasure of its
    personal data; the history of the run that ends in the erasure's continue-as-new. The child's history is
    recorded too."""
    from datetime import time as clock_time
    from zoneinfo import ZoneInfo

    from inspraak.domain.panel import PanelLegalStatus
    from inspraak.domain.renovation import State as RenovationState
    from inspraak.domain.renovation_actions import (
        AnswerRecorded,
        CodeAnswer,
        Invite,
        MeetingRecorded,
        MemberChosen,
        PanelConstituted,
        SignUpRecorded,
        Stopped,
        VoteClosed,
    )
    from inspraak.domain.vote import Choice
    from inspraak.workflows.renovation import RenovationWorkflow
    from tests.workflows.renovation_setup import hand_in_plans, proposal, reaches, start_advice, start_renovation

    settings = Settings(data_dir=tmp_path, task_queue=f"record-{uuid.uuid4().hex[:8]}",
                        personal_data_retention_months=0)
    activities = [a for a in build_activities(settings) if getattr(a, "__name__", "") != "plan_term"]
    async with build_worker(dev_env.client, settings, [*activities, fast_plan_term]):
        handle = await start_renovation(dev_env.client, settings, homes=12, with_search_attributes=True)
        today = date.today()
        kickoff = datetime.combine(today + timedelta(days=10), clock_time(19, 30), ZoneInfo("Europe/Amsterdam"))
        await handle.execute_update(RenovationWorkflow.invite, Invite(
            kickoff_at=kickoff, kickoff_place="buurthuis", sign_up_deadline=today + timedelta(days=21)))
        for unit in ("301-002", "301-007"):
            await handle.execute_update(RenovationWorkflow.record_sign_up,
                                        SignUpRecorded(unit_id=unit, signed_up_on=today))

        async def seen(event: str) -> None:
            for _ in range(600):
                v = await handle.query(RenovationWorkflow.view)
                if any(e.event == event for e in v.timeline):
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(f"no {event} in the timeline")

        await seen("reminder_3_days")
        await handle.execute_update(RenovationWorkflow.constitute_panel, PanelConstituted(
            legal_status=PanelLegalStatus.BC_WOHV, members=[MemberChosen(unit_id="301-002", role="voorzitter")],
            facilities="Een vergaderruimte.", working_agreements="Eens per zes weken.", constituted_on=today))
        await handle.execute_update(RenovationWorkflow.record_meeting, MeetingRecorded(
            held_on=today, attendees=["Voorzitter", "Behandelaar"], points=["Kennismaking"]))
        await hand_in_plans(settings, handle)
        child = await start_advice(dev_env.client, settings, handle)
        await child.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
            received_on=today, points=[AdvicePoint(summary="Modelwoning"), AdvicePoint(summary="Geen huurverhoging")]))
        await child.execute_update(AdviceRequestWorkflow.decide, DecisionTaken(decision=Decision.PARTLY, points=[
            PointDecision(adopted="ja"), PointDecision(adopted="nee", motivation="Niet betaalbaar.")]))
        await child.execute_update(AdviceRequestWorkflow.confirm_reply_receipt, ReplyReceived(received_on=today))
        await reaches(handle, RenovationState.VOORSTEL_DEFINITIEF)
        await handle.execute_update(RenovationWorkflow.send_proposals,
                                    await proposal(settings, handle, 12, today, occupied=False))
        for i in (1, 2, 3, 4, 5, 6, 7, 8, 10):
            await handle.execute_update(RenovationWorkflow.record_answer, AnswerRecorded(
                unit_id=f"301-{i:03d}", choice=Choice.AGREED, channel="paper", answered_on=today))
        await handle.execute_update(RenovationWorkflow.answer_by_code, CodeAnswer(
            unit_id="301-009", choice=Choice.AGREED, proposal_version=1))
        await handle.execute_update(RenovationWorkflow.record_answer, AnswerRecorded(
            unit_id="301-001", choice=Choice.NOT_AGREED, channel="home_visit", answered_on=today))
        await seen("reply_reminder")
        await seen("reply_ended")
        await handle.execute_update(RenovationWorkflow.close_vote, VoteClosed())
        assert (await handle.query(RenovationWorkflow.view)).state == RenovationState.DRAAGVLAK_BEREIKT
        await handle.execute_update(RenovationWorkflow.stop, Stopped(reason="opname afgerond"))
        await child.result()
        assert (await handle.query(RenovationWorkflow.view)).state == RenovationState.GESTOPT
        assert (await child.query(AdviceRequestWorkflow.view)).state == State.INGETROKKEN
        await save(child, "AdviceRequestWorkflow-v2-renovation-child-reply-wait-withdrawn-by-parent")
        await erase_and_save(dev_env.client, handle,
                             "RenovationWorkflow-v2-invite-panel-meeting-plans-advice-vote-stop-erase")


@recording
async def test_record_the_renovation_path_through_a_second_version_and_the_objection_terms(
        dev_env: WorkflowEnvironment, tmp_path: Path):
    """The vote not reached, the proposal adjusted, a second version reached; the kennisgeving to the homes that
    did not agree, receipts in two batches, a tenant in court, legal's 6-week alert, the terms ending (ready for
    the works), the ruling, stop, the retention term (0 months when recording), the erasure."""
    from inspraak.domain.objections import (
        CourtClaimRecorded,
        NoticesSent,
        ProposalAdjusted,
        ReceiptMethod,
        ReceiptsRecorded,
        Ruling,
        RulingRecorded,
    )
    from inspraak.domain.renovation import State as RenovationState
    from inspraak.domain.renovation_actions import AnswerRecorded, CodeAnswer, Stopped, VoteClosed
    from inspraak.domain.vote import Choice
    from inspraak.workflows.renovation import RenovationWorkflow
    from tests.workflows.renovation_setup import proposal, ready_for_proposals

    settings = Settings(data_dir=tmp_path, task_queue=f"record-{uuid.uuid4().hex[:8]}",
                        personal_data_retention_months=0)
    activities = [a for a in build_activities(settings) if getattr(a, "__name__", "") != "plan_term"]
    async with build_worker(dev_env.client, settings, [*activities, fast_plan_term]):
        handle = await ready_for_proposals(dev_env.client, settings, 12, with_search_attributes=True)
        today = date.today()
        wf = RenovationWorkflow

        async def reach(state: RenovationState) -> None:
            for _ in range(1200):
                if (await handle.query(wf.view)).state == state:
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(f"not in {state}")

        async def seen(event: str) -> None:
            for _ in range(1200):
                if any(e.event == event for e in (await handle.query(wf.view)).timeline):
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(f"no {event} in the timeline")

        async def vote(version: int, agreed: int) -> None:
            await handle.execute_update(wf.send_proposals, await proposal(settings, handle, 12, today, version=version))
            for i in range(1, agreed + 1):
                await handle.execute_update(wf.record_answer, AnswerRecorded(
                    unit_id=f"301-{i:03d}", choice=Choice.AGREED, channel="paper", answered_on=today))
            await handle.execute_update(wf.answer_by_code, CodeAnswer(
                unit_id="301-011", choice=Choice.NOT_AGREED, proposal_version=version))
            for _ in range(1200):  # this version's reply term has ended: the count may close
                if sum(e.event == "reply_ended" for e in (await handle.query(wf.view)).timeline) >= version:
                    break
                await asyncio.sleep(0.05)
            await handle.execute_update(wf.close_vote, VoteClosed())

        await vote(1, agreed=6)
        assert (await handle.query(wf.view)).state == RenovationState.DRAAGVLAK_NIET_BEREIKT
        await handle.execute_update(wf.adjust_proposal, ProposalAdjusted(reason="Lagere huurverhoging."))
        await vote(2, agreed=9)
        assert (await handle.query(wf.view)).state == RenovationState.DRAAGVLAK_BEREIKT
        await handle.execute_update(wf.send_notices, NoticesSent())
        await handle.execute_update(wf.record_receipts, ReceiptsRecorded(
            units=["301-010", "301-011"], received_on=today, method=ReceiptMethod.REGISTERED_MAIL))
        await handle.execute_update(wf.record_court_claim, CourtClaimRecorded(unit_id="301-011", filed_on=today))
        await handle.execute_update(wf.record_receipts, ReceiptsRecorded(
            units=["301-012"], received_on=today, method=ReceiptMethod.SIGNATURE))
        await seen("alert_week_6")
        await reach(RenovationState.UITVOERINGSGEREED)
        await handle.execute_update(wf.record_ruling, RulingRecorded(unit_id="301-011", ruling=Ruling.REASONABLE,
                                                                     ruled_on=today))
        await handle.execute_update(wf.stop, Stopped(reason="opname afgerond"))
        await erase_and_save(dev_env.client, handle,
                             "RenovationWorkflow-v2-second-version-objection-terms-ruling-stop-erase")


async def erase_and_save(client: Client, handle: WorkflowHandle[Any, Any], name: str) -> None:
    """Once the retention term has ended: erase, save the history of the run that continues as new, and end
    the new run (the renovation's anonymous record, which would otherwise stay open)."""
    from inspraak.domain.works import PersonalDataErased
    from inspraak.workflows.renovation import RenovationWorkflow

    for _ in range(600):
        if any(e.event == "retention_ended" for e in (await handle.query(RenovationWorkflow.view)).timeline):
            break
        await asyncio.sleep(0.05)
    first = (await handle.describe()).run_id
    await handle.execute_update(RenovationWorkflow.erase_personal_data, PersonalDataErased())
    for _ in range(600):
        if (await handle.describe()).run_id != first:
            break
        await asyncio.sleep(0.05)
    await save(client.get_workflow_handle(handle.id, run_id=first), name)
    await handle.terminate("recorded")
