"""The audit trail, made by the kernel for every trajectory: steps, refusals inside the lock, the clock and every
document, written to the store in the background while the state keeps only a count."""

import asyncio
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from inspraak.activities.audit import read_audit
from inspraak.activities.storage import LocalDocumentStore
from inspraak.domain import audit
from inspraak.domain.advice import State
from inspraak.domain.advice_actions import (
    Actor,
    AdvicePoint,
    AdviceReceived,
    ReceiptConfirmed,
    Withdrawn,
)
from inspraak.domain.audit import AuditEntry
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from tests.workflows.conftest import Stack, StartFn, pass_until

STAFF = Actor(role="staff", name="Sanne Behandelaar", subject="sanne", correlation_id="c0ffee00", trace_id="ab" * 16)


async def entries(stack: Stack, trajectory_id: str, at_least: int) -> list[AuditEntry]:
    """The trail once it has ``at_least`` entries (its batches are written in the background)."""
    store = LocalDocumentStore(stack.settings.documents_dir)
    found: list[AuditEntry] = []
    for _ in range(200):
        found = await read_audit(store, trajectory_id)
        if len(found) >= at_least:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(found)} entries, expected {at_least}: {[e.action for e in found]}")


async def test_every_step_document_and_clock_event_is_in_the_trail_with_who_and_before_and_after(
        stack: Stack, start: StartFn):
    handle = await start()
    today = await stack.today()
    await handle.execute_update(AdviceRequestWorkflow.confirm_receipt,
                                ReceiptConfirmed(received_on=today, actor=STAFF))
    await handle.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
        received_on=today, points=[AdvicePoint(summary="Meer groen")], actor=STAFF))
    trail = await entries(stack, handle.id, 5)
    # A step's letters come before the step itself: they are made inside it.
    assert [e.action for e in trail] == ["document_made", "open", "confirm_receipt", "document_made",
                                         "record_advice"]
    assert [e.sequence for e in trail] == list(range(1, len(trail) + 1))
    opened = next(e for e in trail if e.action == audit.OPENED)
    assert opened.user.role == "staff" and opened.new is not None and opened.new.state == State.VERZONDEN
    assert (trail[0].user.name, trail[0].application) == ("Sanne Behandelaar", audit.APPLICATION_API)  # its letter
    receipt = next(e for e in trail if e.action == "confirm_receipt")
    assert (receipt.user.id, receipt.user.name, receipt.user.role) == ("sanne", "Sanne Behandelaar", "staff")
    assert receipt.result == 200 and receipt.application == audit.APPLICATION_API
    assert receipt.old is not None and receipt.new is not None
    assert (receipt.old.state, receipt.new.state) == (State.VERZONDEN, State.IN_BEHANDELING)
    assert receipt.input == {"received_on": today.isoformat()}  # who sent it is the user, not the input
    assert (receipt.correlation_id, receipt.trace_id) == ("c0ffee00", "ab" * 16)
    assert receipt.visibility == "organisation" and receipt.lines
    advice = next(e for e in trail if e.action == "record_advice")
    assert advice.old is not None and advice.new is not None
    # The terms this step changed, before and after: the advice term met, the reply term started.
    assert advice.old.terms["advice_term"].status == "running" and "reply_term" not in advice.old.terms
    assert advice.new.terms["advice_term"].status == "met" and advice.new.terms["reply_term"].status == "running"
    letters = [e for e in trail if e.action == audit.DOCUMENT_MADE]
    made = (await handle.query(AdviceRequestWorkflow.view)).documents
    assert [e.resource_id for e in letters] == [d.id for d in made]
    assert letters[-1].user.name == "Sanne Behandelaar"  # the letter of a step is its actor's

    # The state keeps a count, never the entries.
    state = await handle.query(AdviceRequestWorkflow.view)
    assert "audit" not in state.model_dump_json()
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="klaar", actor=STAFF))


async def test_the_clock_records_reminders_and_expiries_as_the_clock(stack: Stack, start: StartFn):
    handle = await start()
    term = (await handle.query(AdviceRequestWorkflow.view)).deadlines[0]
    await pass_until(stack, term.due_on + timedelta(days=1))
    trail = await entries(stack, handle.id, 7)
    clock = [e for e in trail if e.user.role == "clock" and e.resource == "term"]
    assert [e.action for e in clock] == [audit.TERM_REMINDER, audit.TERM_REMINDER, audit.TERM_EXPIRED]
    expired = clock[-1]
    assert expired.application == audit.APPLICATION_WORKER and expired.resource_id == "advice_term"
    assert expired.old is not None and expired.new is not None
    assert (expired.old.state, expired.new.state) == (State.VERZONDEN, State.UITVOERBAAR)
    assert expired.new.terms["advice_term"].status == "expired"


async def test_a_refusal_inside_the_lock_is_recorded_and_the_state_is_untouched(stack: Stack, start: StartFn):
    """Two advices at once: the second passes its validator while the first holds the lock (it waits for its
    letter), and is refused inside the lock once the first is done. The trail has it as a 409."""
    handle = await start()
    advice = AdviceReceived(received_on=await stack.today(), points=[AdvicePoint(summary="Meer groen")], actor=STAFF)
    first = asyncio.create_task(handle.execute_update(AdviceRequestWorkflow.record_advice, advice))
    for _ in range(200):  # until the first step is under way (it plans the reply term under the lock)
        if (await handle.describe()).raw_description.pending_activities:
            break
        await asyncio.sleep(0.02)
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(AdviceRequestWorkflow.record_advice, advice)
    await first
    trail = await entries(stack, handle.id, 5)
    refused = [e for e in trail if e.result != 200]
    assert [(e.action, e.result) for e in refused] == [("record_advice", 409)]
    assert refused[0].old == refused[0].new and refused[0].visibility == "staff"
    assert refused[0].new is not None and refused[0].new.state == State.ADVIES_ONTVANGEN
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="klaar", actor=STAFF))

