"""The advice request end to end on the time-skipping server, with real activities (Wohv art. 4-5a, 8)."""

from datetime import date, time, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from inspraak.domain.advice import AdviceRequestView, ExecutableBecause, State
from inspraak.domain.advice_actions import (
    AdvicePoint,
    AdviceReceived,
    Closed,
    ConsentRecorded,
    Decision,
    DecisionTaken,
    DisputeFiled,
    DisputeResolved,
    Executed,
    Forum,
    NoObjectionReceived,
    OverlegRequested,
    PointDecision,
    ReceiptConfirmed,
    ReplyReceived,
    TermExtended,
    Withdrawn,
)
from inspraak.domain.calendar import AtwCalendar
from inspraak.domain.documents import DocumentType
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from tests.workflows.conftest import Stack, StartFn, finished, pass_days, pass_until


async def view(handle) -> AdviceRequestView:  # type: ignore[no-untyped-def]
    return await handle.query(AdviceRequestWorkflow.view)


async def act(handle, update, arg) -> AdviceRequestView:  # type: ignore[no-untyped-def]
    """Run an update (it answers with what changed) and read the whole trajectory after it."""
    await handle.execute_update(update, arg)
    return await view(handle)


def doc_types(v: AdviceRequestView) -> list[DocumentType]:
    return [d.type for d in v.documents]


async def refused(handle, update, arg) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(update, arg)
    return str(e.value.cause)


def two_points() -> AdviceReceived:
    return AdviceReceived(received_on=date.today(), points=[AdvicePoint(summary="Meer groen"),
                                                           AdvicePoint(summary="Geen huurverhoging")])


async def record_advice(stack: Stack, handle) -> None:  # type: ignore[no-untyped-def]
    action = two_points().model_copy(update={"received_on": await stack.today()})
    await handle.execute_update(AdviceRequestWorkflow.record_advice, action)


async def test_adviesaanvraag_letter_is_made_and_mailed_when_the_request_starts(stack: Stack, start: StartFn):
    handle = await start()
    await handle.execute_update(AdviceRequestWorkflow.confirm_receipt,
                                ReceiptConfirmed(received_on=await stack.today()))
    v = await view(handle)
    assert v.state == State.IN_BEHANDELING
    assert doc_types(v) == [DocumentType.ADVIESAANVRAAG]
    assert v.deadlines[0].due_on >= v.information_provided_on + timedelta(weeks=6)
    # Mail goes in the background; it has arrived once the workflow moved on.
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test"))
    await finished(handle)
    mails = sorted(p.name for p in stack.outbox.glob("*.eml"))
    assert any("adviesaanvraag" in m for m in mails)


async def test_advice_followed_makes_the_decision_executable_and_execution_closes_it_art_5(
        stack: Stack, start: StartFn):
    handle = await start()
    await record_advice(stack, handle)
    v = await view(handle)
    assert v.state == State.ADVIES_ONTVANGEN
    assert DocumentType.ONTVANGSTBEVESTIGING_ADVIES in doc_types(v)
    decision = DecisionTaken(decision=Decision.FOLLOWED, points=[PointDecision(adopted="ja"),
                                                                   PointDecision(adopted="ja")])
    v = await act(handle, AdviceRequestWorkflow.decide, decision)
    assert v.state == State.UITVOERBAAR
    assert v.executable_because == ExecutableBecause.ADVIES_GEVOLGD
    await handle.execute_update(AdviceRequestWorkflow.record_execution, Executed(executed_on=await stack.today()))
    assert (await view(handle)).state == State.UITGEVOERD
    await handle.execute_update(AdviceRequestWorkflow.close, Closed())
    await finished(handle)
    result = await handle.result()  # returns at once: the workflow has completed
    assert result.state == State.GESLOTEN
    assert doc_types(result) == [DocumentType.ADVIESAANVRAAG, DocumentType.ONTVANGSTBEVESTIGING_ADVIES,
                                 DocumentType.REACTIE_ADVIES, DocumentType.MEDEDELING_UITVOERING]


async def test_advice_not_followed_needs_the_reply_and_then_three_days_wait_art_5_lid_2_and_lid_3_c(
        stack: Stack, start: StartFn):
    handle = await start()
    await record_advice(stack, handle)
    decision = DecisionTaken(decision=Decision.PARTLY, points=[
        PointDecision(adopted="ja"), PointDecision(adopted="nee", motivation="De begroting laat dit niet toe.")])
    v = await act(handle, AdviceRequestWorkflow.decide, decision)
    assert v.state == State.REACTIE_VERZONDEN
    assert v.next_deadline is None  # the reply term is met; the 3 days start at the organisation's receipt
    assert DocumentType.REACTIE_ADVIES in doc_types(v)
    assert "artikel 5 lid 3" in await refused(handle, AdviceRequestWorkflow.record_execution,
                                              Executed(executed_on=await stack.today()))
    v = await act(handle, AdviceRequestWorkflow.confirm_reply_receipt,
                                    ReplyReceived(received_on=await stack.today()))
    assert v.state == State.WACHTTIJD_3_DAGEN
    wait = next(d for d in v.deadlines if d.term == "execution_wait")
    assert wait.due_on >= await stack.today() + timedelta(days=3)
    assert "artikel 5 lid 3 sub c" in wait.article
    await pass_days(stack, 2)
    assert (await view(handle)).state == State.WACHTTIJD_3_DAGEN
    await pass_until(stack, wait.due_on + timedelta(days=1))
    v = await view(handle)
    assert v.state == State.UITVOERBAAR
    assert v.executable_because == ExecutableBecause.WACHTTIJD_VERSTREKEN


async def test_reply_to_advice_not_followed_needs_a_motivation_per_point_art_5_lid_2():
    with pytest.raises(ValueError, match="motivation"):
        DecisionTaken(decision=Decision.NOT_FOLLOWED, points=[PointDecision(adopted="nee")])


async def test_no_advice_when_the_term_expires_makes_the_decision_executable_art_5_lid_3_b(
        stack: Stack, start: StartFn):
    handle = await start()
    term = (await view(handle)).deadlines[0]
    await pass_until(stack, term.due_on)
    assert (await view(handle)).state == State.VERZONDEN  # the last day of the term still belongs to it
    await pass_days(stack, 1)
    v = await view(handle)
    assert v.state == State.UITVOERBAAR
    assert v.executable_because == ExecutableBecause.TERMIJN_VERSTREKEN
    assert DocumentType.TERMIJN_VERSTREKEN in doc_types(v)


async def test_reminders_go_14_and_7_days_before_the_advice_term_ends_art_5_lid_1(stack: Stack, start: StartFn):
    handle = await start()
    term = (await view(handle)).deadlines[0]
    await pass_until(stack, term.due_on - timedelta(days=14), time(10, 0))  # reminders go at 09:00
    assert doc_types(await view(handle)).count(DocumentType.HERINNERING) == 1
    await pass_until(stack, term.due_on - timedelta(days=7), time(10, 0))
    v = await view(handle)
    assert doc_types(v).count(DocumentType.HERINNERING) == 2
    assert [e.event for e in v.timeline if e.event.startswith("reminder")] == ["reminder_14", "reminder_7"]


async def test_extension_moves_the_end_of_the_term_and_never_shortens_it_art_5_lid_1(
        stack: Stack, start: StartFn):
    handle = await start()
    old = (await view(handle)).deadlines[0]
    msg = await refused(handle, AdviceRequestWorkflow.extend_term,
                        TermExtended(new_end=old.due_on - timedelta(days=1), reason="korter"))
    assert "never shortened" in msg
    v = await act(handle, AdviceRequestWorkflow.extend_term,
                                    TermExtended(new_end=old.due_on + timedelta(weeks=2), reason="verzoek HO"))
    new = v.deadlines[0]
    assert new.due_on >= old.due_on + timedelta(weeks=2)
    await pass_until(stack, old.due_on + timedelta(days=2))
    assert (await view(handle)).state == State.VERZONDEN
    await pass_until(stack, new.due_on + timedelta(days=1))
    assert (await view(handle)).state == State.UITVOERBAAR


async def test_an_extension_of_more_than_a_year_is_refused_naming_the_last_allowed_day(stack: Stack, start: StartFn):
    handle = await start()
    due = (await view(handle)).deadlines[0].due_on
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(AdviceRequestWorkflow.extend_term,
                                    TermExtended(new_end=due + timedelta(days=366), reason="te lang"))
    cause = e.value.cause
    assert isinstance(cause, ApplicationError) and list(cause.details) == ["new_end", "extension_too_long"]
    assert (due + timedelta(days=365)).isoformat() in cause.message
    assert (await view(handle)).deadlines[0].due_on == due


async def test_withdrawal_closes_the_trajectory_and_tells_the_organisation(stack: Stack, start: StartFn):
    handle = await start()
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="Plan vervalt"))
    await finished(handle)
    result = await handle.result()  # returns at once: the workflow has completed
    assert result.state == State.INGETROKKEN
    assert doc_types(result)[-1] == DocumentType.INTREKKING
    assert (stack.outbox / f"{result.documents[-1].id}.organisation.eml").exists()


async def test_no_objection_makes_the_decision_executable_art_5_lid_3_a(stack: Stack, start: StartFn):
    handle = await start()
    v = await act(handle, AdviceRequestWorkflow.record_no_objection,
                                    NoObjectionReceived(received_on=await stack.today()))
    assert v.state == State.UITVOERBAAR
    assert v.executable_because == ExecutableBecause.GEEN_BEZWAAR


async def test_consent_given_makes_the_proposal_executable_art_5a(stack: Stack, start: StartFn):
    handle = await start(organisation_id="hv-eendracht", consent=True, minimum_days=56)
    v = await act(handle, AdviceRequestWorkflow.record_consent,
                                    ConsentRecorded(received_on=await stack.today(), given=True))
    assert v.state == State.UITVOERBAAR
    assert v.executable_because == ExecutableBecause.INSTEMMING


async def test_consent_refused_keeps_the_proposal_from_execution_art_5a(stack: Stack, start: StartFn):
    handle = await start(organisation_id="hv-eendracht", consent=True)
    v = await act(handle, AdviceRequestWorkflow.record_consent,
                                    ConsentRecorded(received_on=await stack.today(), given=False))
    assert v.state == State.INSTEMMING_GEWEIGERD
    # Never "not yet": under art. 5a a refused consent does not ripen into execution.
    msg = await refused(handle, AdviceRequestWorkflow.record_execution, Executed(executed_on=await stack.today()))
    assert "may not be carried out (artikel 5a Wohv)" in msg and "yet" not in msg


async def test_consent_term_expiring_deems_nothing_and_escalates_art_5a(stack: Stack, start: StartFn):
    handle = await start(organisation_id="hv-eendracht", consent=True)
    term = (await view(handle)).deadlines[0]
    await pass_until(stack, term.due_on + timedelta(days=1))
    v = await view(handle)
    assert v.state == State.GEEN_INSTEMMING_ESCALATIE
    assert v.overdue
    assert v.executable_because is None
    assert DocumentType.INTERNE_ESCALATIE in doc_types(v)


async def test_a_consent_request_refuses_advice_art_5a(stack: Stack, start: StartFn):
    handle = await start(organisation_id="hv-eendracht", consent=True)
    msg = await refused(handle, AdviceRequestWorkflow.record_advice,
                        two_points().model_copy(update={"received_on": await stack.today()}))
    assert "consent request" in msg


async def test_a_suspension_by_the_kantonrechter_blocks_execution_until_resolved_art_8_lid_2(
        stack: Stack, start: StartFn):
    handle = await start()
    await handle.execute_update(AdviceRequestWorkflow.record_no_objection,
                                NoObjectionReceived(received_on=await stack.today()))
    v = await act(handle, AdviceRequestWorkflow.file_dispute, DisputeFiled(
        forum=Forum.KANTONRECHTER, filed_on=await stack.today(), description="Informatie onvolledig",
        execution_suspended=True))
    assert v.execution_blocked
    assert "artikel 8 lid 2-3" in await refused(handle, AdviceRequestWorkflow.record_execution,
                                                Executed(executed_on=await stack.today()))
    await handle.execute_update(AdviceRequestWorkflow.resolve_dispute,
                                DisputeResolved(resolved_on=await stack.today(), outcome="Ingetrokken"))
    v = await act(handle, AdviceRequestWorkflow.record_execution, Executed(executed_on=await stack.today()))
    assert v.state == State.UITGEVOERD


async def test_missing_the_14_day_reply_term_alerts_escalates_and_marks_overdue_art_5_lid_2(
        stack: Stack, start: StartFn):
    handle = await start()
    await record_advice(stack, handle)
    reply = next(d for d in (await view(handle)).deadlines if d.term == "reply_term")
    assert reply.due_on >= reply.anchor + timedelta(days=14)
    await pass_until(stack, reply.anchor + timedelta(days=12), time(10, 0))
    v = await view(handle)
    assert [e.event for e in v.timeline if e.event.startswith(("alert", "escalation_day"))] == [
        "alert_day_7", "alert_day_10", "escalation_day_12"]
    assert not v.overdue
    await pass_until(stack, reply.due_on + timedelta(days=1))
    v = await view(handle)
    assert v.overdue
    assert doc_types(v).count(DocumentType.INTERNE_ESCALATIE) == 2
    decision = DecisionTaken(decision=Decision.FOLLOWED, points=[PointDecision(adopted="ja")] * 2)
    v = await act(handle, AdviceRequestWorkflow.decide, decision)
    assert not v.overdue and v.state == State.UITVOERBAAR


async def test_an_action_the_state_does_not_allow_is_refused_with_the_reason(stack: Stack, start: StartFn):
    handle = await start()
    msg = await refused(handle, AdviceRequestWorkflow.decide,
                        DecisionTaken(decision=Decision.FOLLOWED, points=[PointDecision(adopted="ja")]))
    assert "received advice" in msg


def next_weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def test_a_term_ending_on_a_saturday_runs_to_monday_atw_art_1(stack: Stack, start: StartFn):
    saturday = next_weekday_on_or_after(await stack.today() + timedelta(days=42), 5)
    while not AtwCalendar().is_working_day(saturday + timedelta(days=2)):  # a Monday that is no feestdag
        saturday += timedelta(days=7)
    handle = await start(information_provided_on=saturday - timedelta(days=42))
    term = (await view(handle)).deadlines[0]
    assert term.unextended_due_on == saturday
    assert term.due_on == saturday + timedelta(days=2)
    await pass_until(stack, saturday + timedelta(days=2))
    assert (await view(handle)).state == State.VERZONDEN  # Monday still belongs to the term
    await pass_days(stack, 1)
    assert (await view(handle)).state == State.UITVOERBAAR


@pytest.mark.parametrize(("month", "day", "expected_reason"), [(12, 25, "Eerste Kerstdag"), (4, 27, "Koningsdag")])
async def test_a_term_ending_on_a_public_holiday_moves_to_the_next_working_day_atw_art_1_and_3(
        stack: Stack, start: StartFn, month: int, day: int, expected_reason: str):
    today = await stack.today()
    year = today.year if date(today.year, month, day) - timedelta(days=42) >= today else today.year + 1
    holiday = date(year, month, day)
    while holiday.weekday() >= 5:  # pick a year where the holiday itself is a weekday
        year += 1
        holiday = date(year, month, day)
    handle = await start(information_provided_on=holiday - timedelta(days=42))
    term = (await view(handle)).deadlines[0]
    assert term.unextended_due_on == holiday
    assert term.due_on > holiday
    assert term.extended_reason == expected_reason
    await pass_until(stack, term.due_on)
    assert (await view(handle)).state == State.VERZONDEN
    await pass_days(stack, 1)
    assert (await view(handle)).state == State.UITVOERBAAR


async def test_a_dispute_without_a_suspension_does_not_block_execution_art_8(stack: Stack, start: StartFn):
    handle = await start()
    v = await view(handle)
    assert "file_dispute" in v.allowed_actions and "resolve_dispute" not in v.allowed_actions
    # A dispute may be recorded before the organisation confirmed receipt, too.
    v = await act(handle, AdviceRequestWorkflow.file_dispute, DisputeFiled(
        forum=Forum.HUURCOMMISSIE, filed_on=await stack.today(), description="Geen informatie over de kosten"))
    assert v.state == State.VERZONDEN and v.dispute is not None and not v.execution_blocked
    assert "resolve_dispute" in v.allowed_actions and "file_dispute" not in v.allowed_actions
    assert "withdraw" not in v.allowed_actions  # not while the dispute is open (one rule: flag_refusal)
    await handle.execute_update(AdviceRequestWorkflow.record_no_objection,
                                NoObjectionReceived(received_on=await stack.today()))
    assert "dispute is open" in await refused(handle, AdviceRequestWorkflow.withdraw, Withdrawn(reason="x"))
    v = await act(handle, AdviceRequestWorkflow.record_execution, Executed(executed_on=await stack.today()))
    assert v.state == State.UITGEVOERD
    assert "dispute is open" in await refused(handle, AdviceRequestWorkflow.close, Closed())
    await handle.execute_update(AdviceRequestWorkflow.resolve_dispute,
                                DisputeResolved(resolved_on=await stack.today(), outcome="Ingetrokken"))


async def test_advice_received_on_the_last_day_but_recorded_later_still_counts_art_5_lid_3_b(
        stack: Stack, start: StartFn):
    handle = await start()
    term = (await view(handle)).deadlines[0]
    await pass_until(stack, term.due_on + timedelta(days=2))
    assert (await view(handle)).state == State.UITVOERBAAR  # the clock saw no advice
    late = AdviceReceived(received_on=term.due_on + timedelta(days=1), points=[AdvicePoint(summary="Te laat")])
    assert "only advice received on or before" in await refused(handle, AdviceRequestWorkflow.record_advice, late)
    v = await act(handle, AdviceRequestWorkflow.record_advice, late.model_copy(update={"received_on": term.due_on}))
    assert v.state == State.ADVIES_ONTVANGEN and v.executable_because is None
    assert "artikel 5 lid 3" in await refused(handle, AdviceRequestWorkflow.record_execution,
                                              Executed(executed_on=await stack.today()))


async def test_after_refused_consent_renewed_overleg_and_a_new_term_are_possible_art_5a(
        stack: Stack, start: StartFn):
    handle = await start(organisation_id="hv-eendracht", consent=True)
    term = (await view(handle)).deadlines[0]
    await pass_until(stack, term.due_on + timedelta(days=1))
    assert (await view(handle)).state == State.GEEN_INSTEMMING_ESCALATIE
    today = await stack.today()
    v = await act(handle, AdviceRequestWorkflow.request_overleg, OverlegRequested(requested_on=today))
    assert v.state == State.OVERLEG_GEPLAND
    v = await act(handle, AdviceRequestWorkflow.extend_term,
                  TermExtended(new_end=today + timedelta(weeks=4), reason="Nieuw voorstel na overleg"))
    assert v.state == State.IN_BEHANDELING and not v.overdue
    assert v.deadlines[0].status == "running" and v.deadlines[0].due_on >= today + timedelta(weeks=4)
    v = await act(handle, AdviceRequestWorkflow.record_consent, ConsentRecorded(received_on=today, given=True))
    assert v.state == State.UITVOERBAAR
