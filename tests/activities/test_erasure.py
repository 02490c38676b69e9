"""The erasure activity on both store backends: keys, prefixes, mail copies and ledger entries go; the rest stays;
a second run (a retry) finds nothing left and does not fail."""

from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from inspraak.activities.erasure import ErasureActivities
from inspraak.activities.mail import MailLedger
from inspraak.activities.storage import DocumentStore, ObjectNotFoundError
from inspraak.domain.erasure import ErasurePlan

KEEP = "trajectories/ren-x/05-uitslag_draagvlak.docx"
GONE = ["trajectories/ren-x/register/households.json", "trajectories/ren-x/proposals/v1-figures.json",
        "trajectories/ren-x/proposals/v2-figures.json", "trajectories/ren-x/03-renovatievoorstel-0001.docx"]


async def erase_on(store: DocumentStore, tmp_path: Path) -> None:
    for key in [*GONE, KEEP]:
        await store.put(key, b"x", content_type="application/octet-stream", metadata={"trajectory": "ren-x"})
    outbox, ledger = tmp_path / "outbox", MailLedger(tmp_path / "ledger")
    outbox.mkdir()
    (outbox / "ren-x.03-renovatievoorstel-0001.household.eml").write_text("mail")
    (outbox / "ren-x.05-uitslag_draagvlak.organisation.eml").write_text("mail")
    (tmp_path / "ledger").mkdir()
    ledger.path("ren-x.03-renovatievoorstel-0001.household").write_text("{}")
    plan = ErasurePlan(trajectory_id="ren-x", keys=[GONE[0], GONE[3], "trajectories/ren-x/never-stored.docx"],
                       prefixes=["trajectories/ren-x/register/", "trajectories/ren-x/proposals/"],
                       mail_ids=["ren-x.03-renovatievoorstel-0001.household"])
    activities = ErasureActivities(store, outbox, ledger)
    result = await ActivityEnvironment().run(activities.erase_personal_data, plan)
    assert result.objects_deleted == 4 and result.mail_copies_deleted == 1
    for key in GONE:
        with pytest.raises(ObjectNotFoundError):
            await store.get(key)
    assert await store.get(KEEP) == b"x"
    assert [p.name for p in outbox.iterdir()] == ["ren-x.05-uitslag_draagvlak.organisation.eml"]
    assert not list((tmp_path / "ledger").iterdir())
    again = await ActivityEnvironment().run(activities.erase_personal_data, plan)
    assert again.objects_deleted == 0 and again.mail_copies_deleted == 0


async def test_erasure_on_the_local_store(local_store, tmp_path: Path) -> None:
    await erase_on(local_store, tmp_path)


async def test_erasure_on_s3(s3_store, tmp_path: Path) -> None:
    await erase_on(s3_store, tmp_path)
