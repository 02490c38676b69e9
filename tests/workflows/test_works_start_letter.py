"""The letter when the works start in a home (B18; BW 7:220 lid 5-6): every home whose works start gets one,
on paper (a print file) and by mail where an address is known; a home blocked by a court case gets it when its
works start later. Reuses test_renovation_works's renovation in UITVOERINGSGEREED."""

from decimal import Decimal

import pytest

from inspraak.domain.documents import DocumentType
from inspraak.domain.dutch import bedrag, datum_lang
from inspraak.domain.moving_allowance import MovingAllowance
from inspraak.domain.renovation import RenovationState
from inspraak.domain.works import WorksStarted
from inspraak.workflows.renovation import RenovationWorkflow
from tests.workflows.conftest import Stack, history_text, pass_days
from tests.workflows.test_renovation_works import (  # noqa: F401 - end_what_is_left is an autouse fixture
    all_documents,
    end_what_is_left,
    letter,
    ready,
    view,
)

START = DocumentType.START_WERKZAAMHEDEN
UNITS = [f"301-{i:03d}" for i in range(1, 13)]


async def start_letters(stack: Stack, handle) -> list:
    return [d for d in await all_documents(stack, await view(handle)) if d.type == START and d.household_id]


def mails(stack: Stack, handle) -> list:
    return sorted(stack.outbox.glob(f"{handle.id}.*start_werkzaamheden*.household.eml"))


async def test_works_start_letter_to_every_started_home_with_the_allowance_bw_7_220_lid_5(
        stack: Stack, monkeypatch: pytest.MonkeyPatch):
    blocked = {"301-003"}  # a stand-in for a court case over the proposal (as test_renovation_works does)
    monkeypatch.setattr(RenovationState, "works_blocked", lambda self, unit: unit in blocked)
    handle = await ready(stack, occupied=False)
    today = await stack.today()
    allowance = MovingAllowance(amount=Decimal("7900.00"), valid_from=today.replace(month=1, day=1),
                                valid_until=today.replace(month=12, day=31))
    result = await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(
        started_on=today, moving_allowance=allowance))
    assert result.document is not None and result.document.type == DocumentType.PRINTBESTAND
    assert sorted(d.household_id for d in await start_letters(stack, handle)) == [u for u in UNITS if u != "301-003"]
    text = await letter(stack, await view(handle), START, "301-004")
    for expected in (datum_lang(today), "eenheid 301-004", "niet in uw woning wonen", "Molenweg 90",
                     bedrag(Decimal("7900.00")), f"in {today.year}", "7:220 lid 5", handle.id.upper()):
        assert expected in text, expected
    # Mail only where the register has an address (the even units); the odd 301-003 has none and waits.
    assert len(mails(stack, handle)) == 6
    # The court case ends; the home's works start later: its letter then, with that day.
    blocked.clear()
    await pass_days(stack, 3)
    later = await stack.today()
    await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(started_on=later, unit_ids=["301-003"]))
    letters = await start_letters(stack, handle)
    assert len(letters) == 12 and [d.household_id for d in letters].count("301-003") == 1
    assert datum_lang(later) in await letter(stack, await view(handle), START, "301-003")
    assert len(mails(stack, handle)) == 6  # 301-003 gave no e-mail address
    prints = [m for m in (await view(handle)).merges if m.type == START]
    assert len(prints) == 2 and all(m.print_file_id for m in prints)
    # No name, address, e-mail address or contract of a tenant in the history (the letters are made by the
    # activity from the register in the store).
    history = await history_text(handle)
    assert "start_werkzaamheden" in history and "Molenweg 1-95" in history  # decoded: the complex's address
    for secret in ("Huurder Nummer", "Molenweg 4,", "huurder4@example.nl", "HO-00004"):
        assert secret not in history, secret


async def test_works_start_letter_for_occupied_works_names_no_allowance(stack: Stack):
    handle = await ready(stack, homes=12)
    today = await stack.today()
    await handle.execute_update(RenovationWorkflow.start_works, WorksStarted(started_on=today))
    assert len(await start_letters(stack, handle)) == 12
    text = await letter(stack, await view(handle), START, "301-001")
    assert "in uw woning wonen" in text and "niet in uw woning" not in text and "7:220" not in text
