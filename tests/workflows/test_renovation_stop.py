"""Stopping a renovation (B17, GESTOPT -> the panel dissolved) on the time-skipping server: a constituted panel's
members get the dissolution letter with the reason and the last day their personal data is kept (AVG art. 5
lid 1 e); a bewonerscommissie under the Wohv hears that only the project arrangement ends."""

from datetime import timedelta

from inspraak.domain.documents import DocumentType, Visibility
from inspraak.domain.dutch import datum
from inspraak.domain.panel import PanelLegalStatus
from inspraak.domain.renovation import State
from inspraak.domain.renovation_actions import Stopped
from inspraak.domain.works import PersonalDataErased
from inspraak.workflows.renovation import RenovationWorkflow
from tests.workflows.conftest import Stack, history_text, pass_until, settled
from tests.workflows.renovation_setup import (
    VISSERSBUURT,
    household_letters,
    invitation,
    start_renovation,
    with_active_panel,
)
from tests.workflows.test_renovation_works import (  # noqa: F401 (fixtures: the short worker, ending what is left)
    OPEN,
    all_documents,
    end_what_is_left,
    short,
    text_of,
)

REASON = "De gemeente trekt de subsidie in. Zonder die subsidie kunnen wij de renovatie niet betalen"


async def stopped(stack: Stack, handle, reason: str = REASON):
    OPEN.append(handle)
    result = await handle.execute_update(RenovationWorkflow.stop, Stopped(reason=reason))
    return result, await handle.query(RenovationWorkflow.view)


def read(stack: Stack, ref) -> str:
    return text_of((stack.settings.documents_dir / ref.key).read_bytes())


async def test_stopping_sends_every_member_the_dissolution_letter_until_the_erasure_b17_avg_art_5_lid_1_e(
        short: Stack):  # noqa: F811
    stack = short
    handle = await with_active_panel(stack.client, stack.settings, 12, status=PanelLegalStatus.KLANTENPANEL,
                                     complex_=VISSERSBUURT, members=("301-002", "301-003"))
    result, v = await stopped(stack, handle)
    assert result.state == v.state == State.GESTOPT  # the state stays GESTOPT: the panel is marked dissolved
    until = result.term.due_on
    assert v.dissolution is not None and v.dissolution.stopped and v.dissolution.letters == 2
    assert v.dissolution.dissolved_on == await stack.today()

    members = {d.household_id: d for d in await household_letters(stack.settings, v, DocumentType.OPHEFFING_PANEL)}
    assert set(members) == {"301-002", "301-003"}
    assert all(d.visibility == Visibility.HOUSEHOLD for d in members.values())
    for unit, name in (("301-002", "Huurder Nummer 2"), ("301-003", "Huurder Nummer 3")):
        text = read(stack, members[unit])
        assert f"Beste {name}" in text and "Wij stoppen met de renovatie van Complex 101 Vissersbuurt." in text
        assert f"{REASON}." in text and "Waarom stopt het project?" in text
        assert "Daarom heffen wij het klantenpanel op" in text and "Hartelijk dank voor uw inzet." in text
        assert f"bewaren wij tot en met {datum(until)}. " in text and "Daarna wissen wij ze." in text
        assert "Project gestopt, opheffing klantenpanel: Renovatie complex 301 De Molen" in text
    assert "Huurder Nummer 3" not in read(stack, members["301-002"])

    (copy,) = [d for d in v.documents if d.type == DocumentType.OPHEFFING_PANEL]
    assert result.document is not None and result.document.id == copy.id == v.dissolution.copy_document_id
    copy_text = read(stack, copy)
    assert "Huurder Nummer" not in copy_text and "Geacht bestuur" in copy_text and REASON in copy_text
    assert "heeft het klantenpanel meegedacht over het project" in copy_text
    prints = [d for d in v.documents if d.type == DocumentType.PRINTBESTAND and "gestopt" in d.title.lower()]
    (print_file,) = prints
    combined = read(stack, print_file)
    assert "Beste Huurder Nummer 2" in combined and "Beste Huurder Nummer 3" in combined
    await settled(handle)  # the mails go after the update answered
    mailed = sorted(p.name.split(".")[1] for p in stack.outbox.glob(f"{handle.id}.*opheffing_panel*.eml"))
    assert len(mailed) == 2 and mailed[1].endswith("-organisatie")  # 301-002 gave an address, 301-003 did not
    assert any(e.event == "dissolved" and "2 leden" in e.text for e in v.timeline)
    history = await history_text(handle)
    for secret in ("Huurder Nummer", "huurder2@example.nl", "Molenweg 2,", "HO-00002"):
        assert secret not in history

    # The retention and the erasure run from GESTOPT as before, and take the members' letters with them.
    await pass_until(stack, until + timedelta(days=1))
    household = [d for d in await all_documents(stack, v) if d.household_id or d.type == DocumentType.PRINTBESTAND]
    await handle.execute_update(RenovationWorkflow.erase_personal_data, PersonalDataErased())
    assert members["301-002"] in household and print_file in household
    assert not any((stack.settings.documents_dir / d.key).exists() for d in household)
    assert (stack.settings.documents_dir / copy.key).exists()  # names no household: the project archive keeps it
    assert not list(stack.outbox.glob(f"{handle.id}.*.household.eml"))
    await settled(handle)
    after = await handle.query(RenovationWorkflow.view)
    assert after.state == State.GESTOPT and after.erasure is not None and after.erasure.panel_members == 2


async def test_stopping_before_any_panel_sends_no_dissolution_letter_b17(stack: Stack):
    handle = await start_renovation(stack.client, stack.settings, 6)
    await handle.execute_update(RenovationWorkflow.invite, invitation(await stack.today()))
    result, v = await stopped(stack, handle, "Het plan gaat niet door")
    assert result.state == State.GESTOPT and result.document is None and v.dissolution is None
    assert not [m for m in v.merges if m.type == DocumentType.OPHEFFING_PANEL]
    assert not [d for d in v.documents if d.type == DocumentType.OPHEFFING_PANEL]


async def test_a_bewonerscommissie_hears_that_only_the_project_arrangement_ends_wohv_art_1(stack: Stack):
    handle = await with_active_panel(stack.client, stack.settings, 6)
    result, v = await stopped(stack, handle)
    (member,) = await household_letters(stack.settings, v, DocumentType.OPHEFFING_PANEL)
    text = read(stack, member)
    assert "Project gestopt, einde projectafspraken: Renovatie complex 301 De Molen" in text
    assert "Alleen die projectafspraken stoppen" in text and "De bewonerscommissie zelf blijft bestaan" in text
    assert "heffen wij" not in text and f"tot en met {datum(result.term.due_on)}" in text
    copy = read(stack, next(d for d in v.documents if d.type == DocumentType.OPHEFFING_PANEL))
    assert "Geachte leden van de bewonerscommissie" in copy and "Huurder Nummer" not in copy
