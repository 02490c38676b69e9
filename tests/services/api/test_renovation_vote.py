"""The renovatievoorstel and the vote over real HTTP: proposals, answers by staff and by reply code, who sees what."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from inspraak.domain.vote import derive_reply_code, format_reply_code
from tests.services.api.conftest import Api
from tests.services.api.renovation_steps import voting_renovation
from tests.services.api.test_renovations import own_token

HOMES = 12


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def proposal_body(version: int = 1) -> dict:
    figures = "eenheid;nieuwe_huur\n" + "".join(f"301-{i:03d};{750 + i},25\n" for i in range(1, HOMES + 1))
    day = datetime.now(UTC).date()
    return {"version": version, "works": {"renovation": "Isolatie en kozijnen", "maintenance": "Schilderwerk"},
            "schedule": "Start in maart; drie weken per woning.", "occupied": True,
            "rent_increase_from": (day + timedelta(days=120)).isoformat(),
            "reply_by": (day + timedelta(days=21)).isoformat(), "figures_csv": figures}


@pytest.fixture(scope="module")
async def voting(api: Api) -> str:
    api.settings.reply_code_delay_seconds = 0.2
    return await voting_renovation(api, HOMES, proposal_body())


def code(api: Api, rid: str, unit: str, version: int = 1) -> str:
    return format_reply_code(derive_reply_code(api.settings.reply_code_key_bytes, rid, version, unit))


async def by_code(api: Api, rid: str, reply_code: str, choice: str = "agreed", headers: dict | None = None):
    return await api.http.post(f"/v1/renovations/{rid}/answers/by-code", json={"code": reply_code, "choice": choice},
                               headers=headers or {})


async def test_figures_for_a_unit_not_on_the_register_are_a_400_and_send_nothing(api: Api, voting: str):
    body = proposal_body(2) | {"figures_csv": "eenheid;nieuwe_huur\n999-999;800,00\n"}
    r = await api.http.post(f"/v1/renovations/{voting}/proposals", headers=api.auth("staff"), json=body)
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["code"] == "unknown_unit"


async def test_a_household_answers_with_its_code_without_an_account(api: Api, voting: str):
    r = await by_code(api, voting, code(api, voting, "301-003").lower().replace("-", " "))
    assert r.status_code == 200, r.text
    assert r.json() == {"recorded": True, "choice": "agreed", "answered_on": today(), "proposal_version": 1}
    tally = (await api.http.get(f"/v1/renovations/{voting}/tally", headers=api.auth("staff"))).json()
    assert tally["agreed"] == 1 and tally["total"] == HOMES


async def test_a_wrong_code_is_refused_without_saying_which_part_and_slowed_down(api: Api, voting: str):
    real = code(api, voting, "301-004")
    wrong = real[:-1] + ("A" if real[-1] != "A" else "B")
    answers = [await by_code(api, voting, c) for c in (wrong, "not-a-code", code(api, voting, "301-004", 2))]
    assert {r.status_code for r in answers} == {400}
    assert len({r.json()["invalidParams"][0]["reason"] for r in answers}) == 1  # one message for every kind
    started = time.monotonic()
    assert (await by_code(api, voting, wrong)).status_code == 400
    assert time.monotonic() - started >= 0.6  # the fourth wrong try of this renovation waits 4 x 0.2 s
    # Nothing was recorded for 301-004.
    votes = (await api.http.get(f"/v1/renovations/{voting}/votes", headers=api.auth("staff"))).json()
    assert next(v for v in votes if v["unit_id"] == "301-004")["answers"] == 0


async def test_a_code_of_another_renovation_is_refused_the_same_way(api: Api, voting: str):
    r = await by_code(api, "ren-2026-onbekend", code(api, voting, "301-005"))
    assert r.status_code == 400 and r.json()["invalidParams"][0]["code"] == "invalid_code"


async def test_the_by_code_answer_names_no_household_and_no_token_reaches_anything_else(api: Api, voting: str):
    r = await by_code(api, voting, code(api, voting, "301-006"), "not_agreed")
    assert r.status_code == 200
    assert "301-006" not in r.text and "Huurder" not in r.text and "Molenweg" not in r.text
    for path in ("", "/tally", "/votes"):
        assert (await api.http.get(f"/v1/renovations/{voting}{path}")).status_code == 401
    assert (await api.http.post(f"/v1/renovations/{voting}/answers", json={
        "unit_id": "301-007", "choice": "agreed", "channel": "paper", "answered_on": today()})).status_code == 401


async def test_staff_record_a_paper_answer_and_a_later_one_replaces_it(api: Api, voting: str):
    staff = api.auth("staff")
    for choice in ("agreed", "not_agreed"):
        r = await api.http.post(f"/v1/renovations/{voting}/answers", headers=staff, json={
            "unit_id": "301-008", "choice": choice, "channel": "paper", "answered_on": today()})
        assert r.status_code == 200, r.text
    votes = (await api.http.get(f"/v1/renovations/{voting}/votes", headers=staff)).json()
    home = next(v for v in votes if v["unit_id"] == "301-008")
    assert home["choice"] == "not_agreed" and home["answers"] == 2 and home["channel"] == "paper"


async def test_the_organisation_sees_the_totals_but_no_household_s_vote(api: Api, voting: str):
    headers = await own_token(api)
    tally = await api.http.get(f"/v1/renovations/{voting}/tally", headers=headers)
    assert tally.status_code == 200 and "301-" not in tally.text
    assert (await api.http.get(f"/v1/renovations/{voting}/votes", headers=headers)).status_code == 403
    view = (await api.http.get(f"/v1/renovations/{voting}", headers=headers)).json()
    assert view["tally"]["total"] == HOMES and view["register_sha256"] is None
    assert not any(d["type"] == "renovatievoorstel" for d in view["documents"])
    assert "301-0" not in " ".join(e["text"] for e in view["timeline"])
    assert (await api.http.get(f"/v1/renovations/{voting}/tally", headers=api.auth("other"))).status_code == 404


async def test_the_count_cannot_close_before_the_reply_date(api: Api, voting: str):
    r = await api.http.post(f"/v1/renovations/{voting}/vote/close", headers=api.auth("staff"), json={})
    assert r.status_code == 400 and "after the reply date" in r.text
