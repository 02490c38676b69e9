"""The trajectory kernel, through its first trajectory: steps that cannot interleave, the state carried over
a continue-as-new, letters and mails driven by data, small update results, gap-free document numbers."""

import asyncio
import email
import email.policy
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from inspraak.domain.advice import AdviceRequestView, State
from inspraak.domain.advice_actions import (
    AdvicePoint,
    AdviceReceived,
    Decision,
    DecisionTaken,
    DocumentAttached,
    PointDecision,
    ReplyReceived,
    TermExtended,
    Withdrawn,
)
from inspraak.domain.documents import DocumentRef, DocumentType
from inspraak.domain.dutch import datum
from inspraak.domain.trajectory import TermStatus
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from inspraak.workflows.advice_request import AdviceRequestWorkflow
from tests.activities.test_documents import letter_text
from tests.workflows.conftest import Stack, StartFn, pass_days, pass_until, settled, starter
from tests.workflows.test_audit import entries as audit_entries


async def view(handle) -> AdviceRequestView:  # type: ignore[no-untyped-def]
    return await handle.query(AdviceRequestWorkflow.view)


def mails(outbox: Path) -> dict[str, email.message.EmailMessage]:
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in outbox.glob("*.eml")}


async def test_advice_and_withdrawal_at_the_same_moment_never_mix(stack: Stack, start: StartFn):
    """Either the withdrawal comes first (the advice is refused), or the advice does (then it is withdrawn):
    never a withdrawn request with a running term, nor a letter after the withdrawal."""
    for _ in range(4):
        handle = await start()
        today = await stack.today()
        advice = AdviceReceived(received_on=today, points=[AdvicePoint(summary="Meer groen")])
        results = await asyncio.gather(
            handle.execute_update(AdviceRequestWorkflow.record_advice, advice),
            handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="Plan vervalt")),
            return_exceptions=True)
        v = await view(handle)
        assert v.state == State.INGETROKKEN
        assert not isinstance(results[1], BaseException)  # a withdrawal is allowed in either order
        assert all(d.status != TermStatus.RUNNING for d in v.deadlines)
        assert v.documents[-1].type == DocumentType.INTREKKING
        if isinstance(results[0], WorkflowUpdateFailedError):  # the withdrawal came first
            assert DocumentType.ONTVANGSTBEVESTIGING_ADVIES not in [d.type for d in v.documents]
        else:
            assert v.advice is not None
        assert [d.id.split(".")[1][:2] for d in v.documents] == [f"{n:02d}" for n in range(1, len(v.documents) + 1)]


async def test_no_reminder_fires_twice_after_a_continue_as_new(env: WorkflowEnvironment, tmp_path: Path):
    # A worker that continues trajectories as new after a few events, so that it happens between reminders.
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"can-{uuid.uuid4().hex[:8]}",
                        continue_as_new_after_events=12)
    async with build_worker(env.client, settings):
        stack = Stack(env, env.client, settings)
        handle = await starter(stack)()
        first_run = (await handle.describe()).run_id
        term = (await view(handle)).deadlines[0]
        await pass_until(stack, term.due_on - timedelta(days=7), time(10, 0))
        latest = env.client.get_workflow_handle_for(AdviceRequestWorkflow.run, handle.id)
        assert (await latest.describe()).run_id != first_run  # it did continue as new
        await pass_until(stack, term.due_on - timedelta(days=3))
        v = await latest.query(AdviceRequestWorkflow.view)
        assert [e.event for e in v.timeline if e.event.startswith("reminder")] == ["reminder_14", "reminder_7"]
        assert [d.type for d in v.documents].count(DocumentType.HERINNERING) == 2
        assert v.state == State.VERZONDEN
        await latest.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test finished"))
        assert (await latest.result()).state == State.INGETROKKEN


async def test_an_update_answers_with_what_changed_not_the_whole_trajectory(stack: Stack, start: StartFn):
    handle = await start()
    result = await handle.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
        received_on=await stack.today(), points=[AdvicePoint(summary="Meer groen")]))
    assert set(result.model_dump()) == {"id", "state", "term", "document"}
    assert result.state == State.ADVIES_ONTVANGEN
    assert result.term is not None and result.term.term == "reply_term"
    assert result.document is not None and result.document.type == DocumentType.ONTVANGSTBEVESTIGING_ADVIES


async def test_a_met_term_shows_as_met_not_as_an_open_deadline(stack: Stack, start: StartFn):
    handle = await start()
    await handle.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
        received_on=await stack.today(), points=[AdvicePoint(summary="Meer groen")]))
    v = await view(handle)
    status = {d.term: d.status for d in v.deadlines}
    assert status == {"advice_term": TermStatus.MET, "reply_term": TermStatus.RUNNING}
    assert v.next_deadline == next(d for d in v.deadlines if d.term == "reply_term").expires_at


async def test_an_extension_sends_a_letter_and_a_mail_with_the_new_end_wohv_art_5_lid_1(
        stack: Stack, start: StartFn):
    handle = await start()
    old = (await view(handle)).deadlines[0]
    result = await handle.execute_update(AdviceRequestWorkflow.extend_term, TermExtended(
        new_end=old.due_on + timedelta(weeks=2), reason="Het bestuur vergadert pas over drie weken"))
    assert result.document is not None and result.document.type == DocumentType.VERLENGING_TERMIJN
    assert result.term is not None and result.term.due_on >= old.due_on + timedelta(weeks=2)
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test"))
    await handle.result()
    mail = mails(stack.outbox)[f"{result.document.id}.organisation.eml"]
    assert str(mail["Subject"]).strip().startswith("Verlenging termijn:")
    assert "Wij ontvangen uw reactie graag uiterlijk" in mail.get_body().get_content()  # type: ignore[union-attr]


async def test_a_consent_request_is_called_instemmingsverzoek_in_letter_mail_and_attachment_art_5a(
        stack: Stack, start: StartFn):
    handle = await start(organisation_id="hv-eendracht", consent=True)
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test"))
    v = await handle.result()
    letter = v.documents[0]
    assert (letter.type, letter.title) == (DocumentType.ADVIESAANVRAAG, "Instemmingsverzoek")
    mail = mails(stack.outbox)[f"{letter.id}.organisation.eml"]
    assert str(mail["Subject"]).strip().startswith("Instemmingsverzoek: Wijziging servicekostenbeleid")
    attachment = next(mail.iter_attachments())  # type: ignore[union-attr]
    assert "Instemmingsverzoek" in attachment.get_filename() and "Adviesaanvraag" not in attachment.get_filename()


async def test_the_mail_greets_every_contact_says_what_is_asked_by_when_and_whom_to_call(
        stack: Stack, start: StartFn):
    handle = await start(organisation_id="hv-eendracht")
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test"))
    v = await handle.result()
    mail = mails(stack.outbox)[f"{v.documents[0].id}.organisation.eml"]
    body = mail.get_body().get_content()  # type: ignore[union-attr]
    assert mail["From"].addresses[0].display_name == "Woonstichting De Voorbeeldhaven"
    assert mail["Reply-To"].addresses[0].addr_spec == "sanne@voorbeeldhaven.nl"
    assert body.startswith("Beste Anna Jansen, beste Piet Bakker,")
    assert "Wij vragen uw advies over 'Nieuw onderhoudsbeleid'" in body
    due = v.deadlines[0].due_on
    assert f"uiterlijk {due.day} " in body and str(due.year) in body  # a Dutch date: "3 januari 2027"
    assert "Neem contact op met Sanne Behandelaar: bel 010 123 45 67 of mail naar sanne@voorbeeldhaven.nl." in body


async def test_a_reply_receipt_before_the_reply_was_sent_is_refused(stack: Stack, start: StartFn):
    handle = await start()
    await pass_until(stack, await stack.today() + timedelta(days=2))
    today = await stack.today()
    await handle.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
        received_on=today, points=[AdvicePoint(summary="Meer groen")]))
    await handle.execute_update(AdviceRequestWorkflow.decide, DecisionTaken(
        decision=Decision.NOT_FOLLOWED, points=[PointDecision(adopted="nee", motivation="Te duur.")]))
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(AdviceRequestWorkflow.confirm_reply_receipt,
                                    ReplyReceived(received_on=today - timedelta(days=1)))
    assert "cannot be before the reply was sent" in str(e.value.cause)


async def test_updates_stay_small_when_a_trajectory_has_hundreds_of_documents(stack: Stack, start: StartFn):
    handle = await start()
    now = await stack.env.get_current_time()
    for n in range(200):
        ref = DocumentRef(id=f"{handle.id}.upload-{n:016x}", type=DocumentType.UPLOAD, title=f"Bijlage {n}",
                          trajectory_id=handle.id, organisation_id="sh-de-linde", key=f"trajectories/x/{n}",
                          sha256="0" * 64, size=1, template_version="", created_at=now,
                          content_type="application/pdf")
        await handle.execute_update(AdviceRequestWorkflow.attach_document, DocumentAttached(document=ref))
    await settled(handle)  # 200 updates: past 2,000 events it continues as new (between two of them, or after)
    results = []
    run_id: str | None = handle.first_execution_run_id
    while run_id:  # every run of the chain
        history = await stack.client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        results += [e.workflow_execution_update_completed_event_attributes.outcome.success.payloads[0].data
                    for e in history.events if e.HasField("workflow_execution_update_completed_event_attributes")]
        last = history.events[-1]
        run_id = (last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
                  if last.HasField("workflow_execution_continued_as_new_event_attributes") else None)
    assert len(results) == 200
    # Each answer is what changed (one reference), not the whole trajectory with its 200 documents.
    assert max(len(r) for r in results) < 1_500
    assert len((await view(handle)).documents) == 201


async def test_the_letter_date_is_the_day_in_amsterdam_also_just_after_midnight_there(stack: Stack, start: StartFn):
    # 23:30 UTC is already the next day in Amsterdam: the letter is dated that next day, as are its terms.
    now = await stack.env.get_current_time()
    target = datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(23, 30), UTC)
    await stack.env.sleep(target - now)
    amsterdam_day = target.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    assert amsterdam_day != target.date()
    handle = await start(information_provided_on=amsterdam_day)
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test"))
    v = await handle.result()
    data = (stack.settings.documents_dir / v.documents[0].key).read_bytes()
    assert f"Datum: {datum(amsterdam_day)}" in letter_text(data).replace("\n", " ").replace(":  ", ": ")


async def test_after_an_outage_only_the_latest_due_reminder_goes(stack: Stack, start: StartFn):
    # A term planned when the request went out 54 days ago, as if no worker ran since: both reminder days
    # (14 and 7 days before the end) have passed, the term itself has not. The end is in 2 days, or up to 4
    # days later when the Atw moves it past a weekend and feestdagen (the shared test clock may be anywhere in
    # the year): the 7-day reminder has passed either way.
    today = await stack.today()
    sent = datetime.combine(today - timedelta(days=54), time(12, 0), ZoneInfo("Europe/Amsterdam"))
    handle = await start(organisation_id="hv-eendracht", information_provided_on=today - timedelta(days=54),
                         minimum_days=56, planned_at=sent)
    await pass_days(stack, 0.1)
    await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test finished"))
    v = await handle.result()
    assert [e.event for e in v.timeline if e.event.startswith("reminder")] == ["reminder_7"]
    assert [d.type for d in v.documents].count(DocumentType.HERINNERING) == 1


@pytest.fixture
def broken_templates(tmp_path: Path) -> Path:
    """An installation's override folder with two letters that cannot be made (not a Word file at all)."""
    folder = tmp_path / "overrides"
    folder.mkdir()
    for name in ("reactie_advies", "herinnering"):
        (folder / f"{name}.docx").write_bytes(b"not a Word document")
    return folder


async def test_a_step_whose_letter_cannot_be_made_leaves_the_state_as_it_was(
        env: WorkflowEnvironment, tmp_path: Path, broken_templates: Path):
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"rb-{uuid.uuid4().hex[:8]}",
                        templates_override_dir=broken_templates)
    async with build_worker(env.client, settings):
        stack = Stack(env, env.client, settings)
        handle = await starter(stack)()
        await handle.execute_update(AdviceRequestWorkflow.record_advice, AdviceReceived(
            received_on=await stack.today(), points=[AdvicePoint(summary="Meer groen")]))
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(AdviceRequestWorkflow.decide, DecisionTaken(
                decision=Decision.NOT_FOLLOWED, points=[PointDecision(adopted="nee", motivation="Te duur.")]))
        v = await view(handle)
        # Not a reply sent without its letter (art. 5 lid 3 c would start from a letter nobody got).
        assert v.state == State.ADVIES_ONTVANGEN and v.decision is None
        assert next(d for d in v.deadlines if d.term == "reply_term").status == TermStatus.RUNNING
        # The audit trail has the failed step, with the state as it stayed.
        failed = (await audit_entries(stack, handle.id, 5))[-1]
        assert (failed.action, failed.result, failed.visibility) == ("decide", 500, "staff")
        assert failed.old == failed.new and failed.new is not None and failed.new.state == State.ADVIES_ONTVANGEN
        assert "could not be made" in failed.explanation
        await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test finished"))
        await handle.result()  # its mail is out before the worker stops


async def test_a_reminder_that_cannot_be_made_is_told_to_staff_and_the_trajectory_goes_on(
        env: WorkflowEnvironment, tmp_path: Path, broken_templates: Path):
    settings = Settings(data_dir=tmp_path, search_attributes=False, task_queue=f"cl-{uuid.uuid4().hex[:8]}",
                        templates_override_dir=broken_templates)
    async with build_worker(env.client, settings):
        stack = Stack(env, env.client, settings)
        handle = await starter(stack)()
        term = (await view(handle)).deadlines[0]
        await pass_until(stack, term.due_on + timedelta(days=1))
        v = await view(handle)
        assert v.state == State.UITVOERBAAR  # the clock went on past the broken reminders (art. 5 lid 3 b)
        failed = [e for e in v.timeline if e.event == "letter_failed"]
        assert len(failed) == 2 and all(e.visibility == "staff" for e in failed)
        await handle.execute_update(AdviceRequestWorkflow.withdraw, Withdrawn(reason="test finished"))
        await handle.result()
    assert any("notice" in p.name for p in stack.outbox.glob("*.eml"))
