"""The renovation's first slice on the time-skipping server: invite 40 households, sign-ups, panel, a meeting."""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from temporalio.client import WorkflowUpdateFailedError

from inspraak.domain.documents import DocumentType, Visibility
from inspraak.domain.panel import PanelLegalStatus
from inspraak.domain.renovation import State
from inspraak.domain.renovation_actions import (
    Agreement,
    Invite,
    MeetingRecorded,
    MemberChosen,
    PanelConstituted,
    SignUpRecorded,
)
from inspraak.workflows.renovation import RenovationWorkflow
from tests.workflows.conftest import Stack, history_text, pass_days, pass_until
from tests.workflows.renovation_setup import end_renovation, household_letters, start_renovation

AMS = ZoneInfo("Europe/Amsterdam")


def text_of(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


async def invited(stack: Stack, homes: int = 40, deadline_days: int = 21):
    handle = await start_renovation(stack.client, stack.settings, homes)
    today = await stack.today()
    kickoff = datetime.combine(today + timedelta(days=10), time(19, 30), AMS)
    await handle.execute_update(RenovationWorkflow.invite, Invite(
        kickoff_at=kickoff, kickoff_place="buurthuis De Wieken",
        sign_up_deadline=today + timedelta(days=deadline_days)))
    return handle


async def stop(handle) -> None:
    await end_renovation(handle)


async def test_every_household_gets_its_own_letter_and_the_print_file_holds_them_all(stack: Stack):
    handle = await invited(stack)
    view = await handle.query(RenovationWorkflow.view)
    assert view.state == State.UITNODIGING_ALLE_HUURDERS
    assert not any(d.household_id for d in view.documents)  # a reference per household stays out of the state
    (merged,) = view.merges
    assert (merged.type, merged.letters) == (DocumentType.UITNODIGING_RENOVATIE, 40)
    letters = await household_letters(stack.settings, view, DocumentType.UITNODIGING_RENOVATIE)
    assert len(letters) == 40 and len({d.key for d in letters}) == 40
    assert all(d.visibility == Visibility.HOUSEHOLD and d.household_id for d in letters)
    store = stack.settings.data_dir / "documents"
    by_unit = {d.household_id: d for d in letters}
    for unit, name, street in (("301-001", "Huurder Nummer 1", "Molenweg 1"),
                               ("301-003", "Huurder Nummer 3 en B. Partner-3", "Molenweg 3")):
        text = text_of((store / by_unit[unit].key).read_bytes())
        assert f"Beste {name}," in text and street in text and unit in text
        other = "Huurder Nummer 2" if unit != "301-002" else "Huurder Nummer 1"
        assert other not in text
    assert view.invitation is not None and view.invitation.print_file is not None
    combined = text_of((store / view.invitation.print_file.key).read_bytes())
    for i in range(1, 41):
        assert f"Beste Huurder Nummer {i}" in combined
    assert combined.count("Met vriendelijke groet") == 40
    # The 20 households with an e-mail address get their letter by mail too, each with its own message.
    assert sorted(view.invitation.mailed) == [f"301-{i:03d}" for i in range(2, 41, 2)]
    await stop(handle)
    mails = [p for p in stack.outbox.glob("*.household.eml")]
    assert len(mails) == 20


async def test_no_household_name_or_address_enters_the_history(stack: Stack):
    handle = await invited(stack, homes=12)
    await handle.execute_update(RenovationWorkflow.record_sign_up, SignUpRecorded(
        unit_id="301-002", role_wish="voorzitter", signed_up_on=await stack.today()))
    await handle.execute_update(RenovationWorkflow.constitute_panel, PanelConstituted(
        legal_status=PanelLegalStatus.BC_WOHV, members=[MemberChosen(unit_id="301-002", role="voorzitter")],
        facilities="Een vergaderruimte.", working_agreements="Eens per zes weken.",
        constituted_on=await stack.today()))
    await stop(handle)
    history = await history_text(handle)
    for secret in ("Huurder Nummer", "huurder2@example.nl", "Molenweg 2,", "HO-00002"):
        assert secret not in history


async def test_sign_ups_a_panel_and_a_meeting_with_the_sign_up_reminder_once(stack: Stack):
    handle = await invited(stack)
    today = await stack.today()
    for unit, wish in (("301-002", "voorzitter"), ("301-007", "secretaris")):
        await handle.execute_update(RenovationWorkflow.record_sign_up,
                                    SignUpRecorded(unit_id=unit, role_wish=wish, signed_up_on=today))
    # The reminder goes three days before the last day; that day may move past a weekend or feestdag (Atw).
    term = next(d for d in (await handle.query(RenovationWorkflow.view)).deadlines if d.term == "sign_up")
    await pass_until(stack, term.due_on - timedelta(days=1))
    view = await handle.query(RenovationWorkflow.view)
    assert [e.event for e in view.timeline].count("reminder_3_days") == 1
    assert view.state == State.PANEL_IN_OPRICHTING
    result = await handle.execute_update(RenovationWorkflow.constitute_panel, PanelConstituted(
        legal_status=PanelLegalStatus.BC_WOHV,
        members=[MemberChosen(unit_id="301-002", role="voorzitter"),
                 MemberChosen(unit_id="301-007", role="secretaris")],
        facilities="Een vergaderruimte en een budget.", working_agreements="Eens per zes weken.",
        constituted_on=await stack.today()))
    assert result.state == State.PANEL_ACTIEF and result.document is not None
    store = stack.settings.data_dir / "documents"
    copy = text_of((store / result.document.key).read_bytes())
    assert "Huurder Nummer 2" in copy and "Huurder Nummer 7" in copy and "voorzitter" in copy
    await pass_days(stack, 5)
    view = await handle.query(RenovationWorkflow.view)
    assert [e.event for e in view.timeline].count("reminder_3_days") == 1  # the term was met: no more
    meeting = await handle.execute_update(RenovationWorkflow.record_meeting, MeetingRecorded(
        held_on=await stack.today(), attendees=["Huurder Nummer 2 (voorzitter)", "Sanne Behandelaar"],
        points=["Kennismaking"], agreements=[Agreement(what="Vragenlijst opstellen", owner="Sanne Behandelaar")]))
    minutes = text_of((store / meeting.document.key).read_bytes())
    assert "Kennismaking" in minutes and "Vragenlijst opstellen" in minutes
    await stop(handle)


async def test_a_panel_member_must_have_signed_up(stack: Stack):
    handle = await invited(stack, homes=12)
    await handle.execute_update(RenovationWorkflow.record_sign_up, SignUpRecorded(
        unit_id="301-002", signed_up_on=await stack.today()))
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(RenovationWorkflow.constitute_panel, PanelConstituted(
            legal_status=PanelLegalStatus.KLANTENPANEL, members=[MemberChosen(unit_id="301-005", role="lid")],
            facilities="-", working_agreements="-", constituted_on=await stack.today()))
    assert "did not sign up" in str(e.value.cause)
    await stop(handle)


async def test_a_unit_not_on_the_register_cannot_sign_up(stack: Stack):
    handle = await invited(stack, homes=12)
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(RenovationWorkflow.record_sign_up, SignUpRecorded(
            unit_id="999-001", signed_up_on=await stack.today()))
    await stop(handle)


