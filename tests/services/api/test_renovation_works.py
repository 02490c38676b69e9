"""The works, the close and the erasure over real HTTP: who may do what; and no tenant's personal data in logs,
search attributes or what an organisation sees (AVG; issue 8 point 7).

The dev server runs in real time, so a renovation cannot reach the works here (the reply term lasts weeks):
the workflow tests (tests/workflows/test_renovation_works.py) walk that path on the time-skipping server. Here
staff get through to the workflow (a 409 naming the state, or a 400 naming the field), organisations do not.
"""

import json
import logging

import pytest

from tests.services.api.conftest import Api
from tests.services.api.renovation_steps import today, voting_renovation
from tests.services.api.test_renovation_vote import HOMES, proposal_body
from tests.services.api.test_renovations import own_token
from tests.workflows.renovation_setup import households_csv

BODIES = {
    "works/start": {"started_on": "2026-01-05"},
    "works/completions": {"unit_ids": ["301-001"], "completed_on": "2026-01-05"},
    "works/rent": {"unit_ids": ["301-001"], "outcome": "agreed", "recorded_on": "2026-01-05"},
    "evaluation": {"held_on": "2026-01-05", "attendees": ["Voorzitter"]},
    "panel/dissolution": {"dissolved_on": "2026-01-05", "archive": "het projectarchief"},
    "close": {},
    "personal-data/erasure": {},
}


@pytest.fixture(scope="module")
async def voting(api: Api) -> str:
    return await voting_renovation(api, HOMES, proposal_body())


@pytest.mark.parametrize("path", list(BODIES))
async def test_staff_reach_the_renovation_and_organisations_do_not(api: Api, voting: str, path: str):
    url = f"/v1/renovations/{voting}/{path}"
    staff = await api.http.post(url, json=BODIES[path], headers=api.auth("staff"))
    # The vote is open: the table refuses every step of the works, naming the state.
    assert staff.status_code == 409, staff.text
    assert "DRAAGVLAKMETING" in staff.json()["detail"]
    own = await api.http.post(url, json=BODIES[path], headers=await own_token(api))
    assert own.status_code == 403 and "staff" in own.json()["detail"]
    other = await api.http.post(url, json=BODIES[path], headers=api.auth("other"))
    assert other.status_code == 403
    assert (await api.http.post(url, json=BODIES[path])).status_code == 401


async def test_a_bad_body_is_a_400_naming_the_field(api: Api, voting: str):
    r = await api.http.post(f"/v1/renovations/{voting}/works/completions", headers=api.auth("staff"),
                            json={"unit_ids": [], "completed_on": today()})
    assert r.status_code == 400
    assert r.json()["invalidParams"][0]["name"].startswith("unit_ids")


async def test_an_unknown_renovation_is_a_404_for_staff(api: Api):
    r = await api.http.post("/v1/renovations/ren-2026-doesnotexist/close", json={}, headers=api.auth("staff"))
    assert r.status_code == 404


async def test_erasure_of_an_open_renovation_is_refused(api: Api, voting: str):
    r = await api.http.post(f"/v1/renovations/{voting}/personal-data/erasure", json={}, headers=api.auth("staff"))
    assert r.status_code == 409 and "closed or stopped" in r.json()["detail"]


def personal_data(homes: int) -> list[str]:
    """What names a household in the register of households_csv(homes)."""
    out = ["Huurder Nummer", "B. Partner"]
    for i in range(1, homes + 1):
        out += [f"HO-{i:05d}"] + ([f"huurder{i}@example.nl"] if i % 2 == 0 else [])
    return out


async def test_no_personal_data_in_logs_search_attributes_or_an_organisations_view(
        api: Api, dev_env, caplog: pytest.LogCaptureFixture):
    assert "Huurder Nummer 1;" in households_csv(HOMES)
    with caplog.at_level(logging.DEBUG):
        rid = await voting_renovation(api, HOMES, proposal_body())
        for i in range(1, HOMES + 1):
            r = await api.http.post(f"/v1/renovations/{rid}/answers", headers=api.auth("staff"), json={
                "unit_id": f"301-{i:03d}", "choice": "agreed" if i % 4 else "not_agreed", "channel": "paper",
                "answered_on": today()})
            assert r.status_code == 200, r.text
        own = await own_token(api)
        seen = [await api.http.get(f"/v1/renovations/{rid}", headers=own),
                await api.http.get(f"/v1/renovations/{rid}/tally", headers=own),
                await api.http.get("/v1/trajectories", headers=own)]
    assert all(r.status_code == 200 for r in seen), [r.text for r in seen]
    description = await dev_env.client.get_workflow_handle(rid).describe()
    attributes = json.dumps({k.name: str(v) for k, v in description.typed_search_attributes}) + json.dumps(
        {k: str(v) for k, v in (await description.memo()).items()})
    assert "renovation" in attributes  # the index is there, and it is all there is
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert len(caplog.records) > 10  # the scenario did log (API requests, the worker, Temporal)
    for secret in personal_data(HOMES):
        assert secret not in attributes, secret
        assert secret not in logs, secret
        for r in seen:
            assert secret not in r.text, secret
    view = seen[0].json()
    assert "301-0" not in seen[0].text and view["execution"] is None and view["sign_ups"] is None


async def test_a_stopped_renovation_stays_reachable_and_its_erasure_waits_for_the_retention_term(api: Api):
    from tests.services.api.test_renovations import start_body
    staff = api.auth("staff")
    r = await api.http.post("/v1/renovations", json=start_body(households_csv(3)), headers=staff)
    rid = r.json()["id"]
    r = await api.http.post(f"/v1/renovations/{rid}/stop", json={"reason": "Subsidie ingetrokken"}, headers=staff)
    assert r.status_code == 200, r.text
    until = r.json()["term"]["due_on"]
    assert r.json()["term"]["term"] == "personal_data_retention"
    r = await api.http.post(f"/v1/renovations/{rid}/personal-data/erasure", json={}, headers=staff)
    assert r.status_code == 400
    problem = r.json()["invalidParams"][0]
    assert problem["code"] == "retention_not_ended" and until in problem["reason"]
    view = (await api.http.get(f"/v1/renovations/{rid}", headers=staff)).json()
    assert view["state"] == "GESTOPT" and view["erasure"] is None
    assert any(d["term"] == "personal_data_retention" and d["status"] == "running" for d in view["deadlines"])
    own = await api.http.post(f"/v1/renovations/{rid}/personal-data/erasure", json={}, headers=await own_token(api))
    assert own.status_code == 403
