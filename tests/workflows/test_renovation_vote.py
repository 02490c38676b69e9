"""The renovatievoorstel and the 70% vote (BW 7:220 lid 2-3) on the time-skipping server, up to the closed count."""

import io
from datetime import timedelta

import pytest
from docx import Document
from temporalio.client import WorkflowUpdateFailedError

from inspraak.domain.documents import DocumentType, Visibility
from inspraak.domain.renovation import State
from inspraak.domain.renovation_actions import AnswerRecorded, CodeAnswer, Stopped, VoteClosed
from inspraak.domain.vote import Choice, derive_reply_code, format_reply_code
from inspraak.workflows.renovation import RenovationWorkflow
from tests.workflows.conftest import Stack, history_text, pass_days, pass_until
from tests.workflows.renovation_setup import end_renovation, household_letters, rent_after, voting_renovation

OPEN: list = []


@pytest.fixture(autouse=True)
async def stop_what_is_left(stack: Stack):
    """A test that fails halfway leaves its renovation running; its timers would then hold the shared
    time-skipping clock (their worker is gone). Stop it."""
    yield
    while OPEN:
        handle = OPEN.pop()
        await end_renovation(handle)


def text_of(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


async def voting(stack: Stack, homes: int, occupied: bool = True):
    handle = await voting_renovation(stack.client, stack.settings, homes, await stack.today(), occupied=occupied)
    OPEN.append(handle)
    return handle


async def answer(handle, unit: str, choice: Choice, day) -> None:
    await handle.execute_update(RenovationWorkflow.record_answer, AnswerRecorded(
        unit_id=unit, choice=choice, channel="paper", answered_on=day))


async def reply_by(handle):
    view = await handle.query(RenovationWorkflow.view)
    return view.proposal.reply_by


async def close(stack: Stack, handle):
    await pass_until(stack, await reply_by(handle) + timedelta(days=1))
    await handle.execute_update(RenovationWorkflow.close_vote, VoteClosed())
    return await handle.query(RenovationWorkflow.view)


async def stop(handle) -> None:
    await handle.execute_update(RenovationWorkflow.stop, Stopped(reason="test finished"))
    await end_renovation(handle)


async def test_seven_of_ten_agreeing_reaches_the_vote_and_files_the_result_letter(stack: Stack):
    handle = await voting(stack, 10)
    today = await stack.today()
    for i in range(1, 11):
        await answer(handle, f"301-{i:03d}", Choice.AGREED if i <= 7 else Choice.NOT_AGREED, today)
    view = await close(stack, handle)
    assert view.state == State.DRAAGVLAK_BEREIKT
    assert view.tally is not None and (view.tally.agreed, view.tally.total, view.tally.reached) == (7, 10, True)
    (uitslag,) = [d for d in view.documents if d.type == DocumentType.UITSLAG_DRAAGVLAK]
    assert uitslag.visibility == Visibility.ORGANISATION
    text = text_of((stack.settings.documents_dir / uitslag.key).read_bytes())
    assert "Woningen op de lijst: 10" in text and "Ingestemd: 7" in text and "70,00 procent" in text
    assert "alle 10 woningen van het complex die op de peildatum" in text and "geldt daarom als redelijk" in text
    await stop(handle)


async def test_six_of_ten_does_not_reach_the_vote(stack: Stack):
    handle = await voting(stack, 10)
    today = await stack.today()
    for i in range(1, 7):
        await answer(handle, f"301-{i:03d}", Choice.AGREED, today)
    view = await close(stack, handle)
    assert view.state == State.DRAAGVLAK_NIET_BEREIKT
    assert view.tally is not None and (view.tally.agreed, view.tally.no_answer, view.tally.still_needed) == (6, 4, 1)
    await stop(handle)


async def test_nine_homes_seven_agreeing_is_no_70_percent_presumption_bw_7_220_lid_3(stack: Stack):
    handle = await voting(stack, 9)
    today = await stack.today()
    for i in range(1, 10):
        await answer(handle, f"301-{i:03d}", Choice.AGREED if i <= 8 else Choice.NOT_AGREED, today)
    view = await close(stack, handle)
    assert view.state == State.DRAAGVLAK_NIET_BEREIKT
    assert view.tally is not None and view.tally.enough_homes is False and view.tally.agreed == 8
    (uitslag,) = [d for d in view.documents if d.type == DocumentType.UITSLAG_DRAAGVLAK]
    assert "minder dan 10 woningen" in text_of((stack.settings.documents_dir / uitslag.key).read_bytes())
    await stop(handle)


async def test_every_home_agreeing_is_ready_for_the_works_without_a_presumption_bw_7_220_lid_2(stack: Stack):
    handle = await voting(stack, 9)
    today = await stack.today()
    for i in range(1, 10):
        await answer(handle, f"301-{i:03d}", Choice.AGREED, today)
    view = await close(stack, handle)
    assert view.state == State.UITVOERINGSGEREED
    assert view.tally is not None and view.tally.enough_homes is False and view.tally.agreed == 9
    (uitslag,) = [d for d in view.documents if d.type == DocumentType.UITSLAG_DRAAGVLAK]
    text = text_of((stack.settings.documents_dir / uitslag.key).read_bytes())
    assert "Alle woningen stemden in" in text and "artikel 7:220 lid 2" in text
    assert "minder dan 10 woningen" not in text
    await stop(handle)


async def test_a_later_answer_replaces_an_earlier_one_and_both_stay(stack: Stack):
    handle = await voting(stack, 10)
    today = await stack.today()
    await answer(handle, "301-001", Choice.AGREED, today)
    await pass_days(stack, 2)
    await answer(handle, "301-001", Choice.NOT_AGREED, today + timedelta(days=2))
    tally = await handle.query(RenovationWorkflow.tally)
    assert (tally.agreed, tally.not_agreed, tally.no_answer) == (0, 1, 9)
    (home,) = [h for h in await handle.query(RenovationWorkflow.home_votes) if h.unit_id == "301-001"]
    assert home.choice == Choice.NOT_AGREED and home.answers == 2
    await stop(handle)


async def test_each_proposal_shows_its_own_figures_and_its_own_reply_code(stack: Stack):
    handle = await voting(stack, 12, occupied=False)
    view = await handle.query(RenovationWorkflow.view)
    assert view.state == State.DRAAGVLAKMETING
    proposals = {d.household_id: d for d in await household_letters(stack.settings, view,
                                                                     DocumentType.RENOVATIEVOORSTEL)}
    assert len(proposals) == 12 and all(d.visibility == Visibility.HOUSEHOLD for d in proposals.values())
    key = stack.settings.reply_code_key_bytes
    for i in (1, 3):
        unit = f"301-{i:03d}"
        text = text_of((stack.settings.documents_dir / proposals[unit].key).read_bytes())
        code = format_reply_code(derive_reply_code(key, handle.id, 1, unit))
        assert f"Uw persoonlijke antwoordcode: {code}" in text
        assert f"Uw huur is nu € {700 + i},50 per maand" in text.replace("\xa0", " ")
        assert f"wordt uw huur € {rent_after(i).replace('.', ',')} per maand" in text.replace("\xa0", " ")
        assert "Molenweg 90, gemeubileerd" in text and "€ 7.500,00" in text.replace("\xa0", " ")
        other = 3 if i == 1 else 1
        assert format_reply_code(derive_reply_code(key, handle.id, 1, f"301-{other:03d}")) not in text
    # Nothing in the history reveals a code: the workflow never holds one.
    history = await history_text(handle)
    assert format_reply_code(derive_reply_code(key, handle.id, 1, "301-001")) not in history
    assert derive_reply_code(key, handle.id, 1, "301-001") not in history
    await stop(handle)


async def test_an_answer_with_the_code_of_another_version_is_refused(stack: Stack):
    handle = await voting(stack, 10)
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(RenovationWorkflow.answer_by_code, CodeAnswer(
            unit_id="301-001", choice=Choice.AGREED, proposal_version=2))
    assert "not valid for this proposal" in str(e.value.cause)
    await stop(handle)


async def test_the_count_closes_only_after_the_reply_date(stack: Stack):
    handle = await voting(stack, 10)
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(RenovationWorkflow.close_vote, VoteClosed())
    assert "after the reply date" in str(e.value.cause)
    await stop(handle)


async def test_homes_without_an_answer_are_reminded_five_days_before_the_reply_date(stack: Stack):
    handle = await voting(stack, 10)
    await answer(handle, "301-002", Choice.AGREED, await stack.today())
    await pass_until(stack, await reply_by(handle) - timedelta(days=4))
    view = await handle.query(RenovationWorkflow.view)
    assert any(e.event == "reply_reminder" for e in view.timeline), [(e.event, e.text) for e in view.timeline[-4:]]
    await stop(handle)
    reminded = sorted(p.name for p in stack.outbox.glob("*herinnering*.eml"))
    # Homes 2, 4, ..., 10 gave an e-mail address; 301-002 answered already.
    assert len(reminded) == 4 and not any("301-002" in n for n in reminded)


async def test_homes_without_an_answer_or_an_address_get_a_paper_reminder_with_their_own_code(stack: Stack):
    handle = await voting(stack, 10)
    await answer(handle, "301-003", Choice.AGREED, await stack.today())
    await pass_until(stack, await reply_by(handle) - timedelta(days=4))
    view = await handle.query(RenovationWorkflow.view)
    # Homes 1, 3, 5, 7, 9 gave no e-mail address; 301-003 answered already: four letters, one print file.
    reminders = await household_letters(stack.settings, view, DocumentType.HERINNERING_DRAAGVLAKMETING)
    assert [d.household_id for d in reminders] == ["301-001", "301-005", "301-007", "301-009"]
    assert all(d.visibility == Visibility.HOUSEHOLD for d in reminders)
    key = stack.settings.reply_code_key_bytes
    for ref in reminders:
        text = text_of((stack.settings.documents_dir / ref.key).read_bytes())
        assert f"Antwoordcode: {format_reply_code(derive_reply_code(key, handle.id, 1, ref.household_id))}" in text
        assert f"Molenweg {int(ref.household_id[-3:])}" in text and "niet ingestemd" in text
    assert view.proposal is not None and view.proposal.reminder_print_file is not None
    combined = text_of((stack.settings.documents_dir / view.proposal.reminder_print_file.key).read_bytes())
    assert all(f"Molenweg {i}\n" in combined for i in (1, 5, 7, 9)) and "Molenweg 3\n" not in combined
    (line,) = [e for e in view.timeline if e.event == "reply_reminder"]
    assert "9 woningen zonder antwoord, 5 per mail en 4 per brief herinnerd" in line.text
    await stop(handle)
