"""The merge activity: a retried merge resumes after its last heartbeat, none lost, none doubled."""

from pathlib import Path

from temporalio.testing import ActivityEnvironment

from inspraak.activities.documents import DocumentActivities
from inspraak.activities.register import store_register
from inspraak.activities.rendering import DocumentRenderer
from inspraak.activities.storage import LocalDocumentStore
from inspraak.domain.documents import DocumentType
from inspraak.domain.households import parse_households
from inspraak.domain.render_requests import MergeRequest
from tests.workflows.renovation_setup import households_csv

COMMON = {"kenmerk": "REN-1", "datum": "2027-04-06", "afzender": {"naam": "Woonstichting"},
          "geadresseerde": {"naam": "-", "soort": "huurder"}, "onderwerp": "Renovatie", "behandelaar": "Sanne",
          "eenheid": "-", "complex_naam": "Complex 301", "complex_adres": "Molenweg", "reden": "Oud.",
          "aftrap_datum": "2027-04-20", "aftrap_tijd": "19.30 uur", "aftrap_plaats": "buurthuis",
          "panel_soort": "bewonerscommissie", "wohv_rechten": True, "aanmelden_voor": "2027-05-04",
          "contact": "Sanne"}


async def test_a_retried_merge_resumes_after_the_last_reported_letter_none_lost_none_twice(tmp_path: Path) -> None:
    store = LocalDocumentStore(tmp_path)
    register = await store_register(store, "ren-t", parse_households(households_csv(6)))
    acts = DocumentActivities(DocumentRenderer(Path("templates")), store)
    req = MergeRequest(trajectory_id="ren-t", organisation_id="bc", register_ref=register,
                       type=DocumentType.UITNODIGING_RENOVATIE, context=COMMON, step_prefix="01-uitnodiging",
                       unit_ids=register.unit_ids, print_file=True)
    first = ActivityEnvironment()
    beats: list[int] = []
    first.on_heartbeat = lambda *details: beats.append(details[0])
    whole = await first.run(acts.merge_documents, req)
    retry = ActivityEnvironment()
    retry.info = retry.info.__class__(**{**retry.info.__dict__, "heartbeat_details": [3]})
    rendered: list[str] = []
    original = acts._render_store

    async def counting(item):  # type: ignore[no-untyped-def]
        rendered.append(item.step)
        return await original(item)

    acts._render_store = counting  # type: ignore[method-assign]
    again = await retry.run(acts.merge_documents, req)
    # only what the first attempt had not reported
    assert sorted(rendered) == [f"01-uitnodiging-{n:04d}" for n in (4, 5, 6)]
    assert [d.key for d in again.documents] == [d.key for d in whole.documents]
    assert len({d.key for d in again.documents}) == 6
    files = sorted(p.name for p in (tmp_path / "trajectories" / "ren-t").glob("01-uitnodiging-*.docx"))
    assert len(files) == 7  # six letters and one print file, nothing doubled
    assert beats == sorted(beats) and beats[-1] >= 6  # the stored prefix only grows
    assert sorted(again.with_email) == ["301-002", "301-004", "301-006"]
