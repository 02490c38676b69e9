"""GET /v1/trajectories/{id}/audit: staff read every entry, the organisation the entries of its own trajectory that
are not staff-only (without the input), anybody else a 404; refused actions are in it; CSV and JSON exports."""

import asyncio
import csv
import io
import json
from datetime import date
from typing import Any

import pytest

from tests.services.api.conftest import Api
from tests.services.api.renovation_steps import ready_for_proposals
from tests.services.api.test_renovations import own_token

TODAY = date.today().isoformat()


async def trail(api: Api, trajectory_id: str, who: str = "staff", until: Any = None) -> list[dict[str, Any]]:
    """The trail as ``who`` reads it, once ``until(items)`` holds (entries are written in the background)."""
    items: list[dict[str, Any]] = []
    for _ in range(200):
        r = await api.http.get(f"/v1/trajectories/{trajectory_id}/audit", headers=api.auth(who))
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        if until is None or until(items):
            return items
        await asyncio.sleep(0.05)
    raise AssertionError(f"the trail never got there: {[i['action'] for i in items]}")


def actions(items: list[dict[str, Any]]) -> list[str]:
    return [i["action"] for i in items]


@pytest.fixture(scope="module")
async def acted(api: Api) -> str:
    """An advice request to hv-eendracht ('own') with a staff step, an organisation step and two refusals."""
    rid = (await api.create(organisation_id="hv-eendracht")).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/receipt", json={"received_on": TODAY},
                            headers=api.auth("staff") | {"X-Correlation-Id": "audit-test-0001"})
    assert r.status_code == 200, r.text
    r = await api.http.post(f"/v1/advice-requests/{rid}/advice", headers=api.auth("own"),
                            json={"received_on": TODAY, "points": [{"summary": "Meer groen"}]})
    assert r.status_code == 200, r.text
    r = await api.http.post(f"/v1/advice-requests/{rid}/execution", json={"executed_on": TODAY},
                            headers=api.auth("staff"))
    assert r.status_code == 409, r.text
    r = await api.http.post(f"/v1/advice-requests/{rid}/receipt", json={"received_on": TODAY}, headers=api.auth("own"))
    assert r.status_code == 409, r.text
    await trail(api, rid, until=lambda items: len(items) >= 7)
    return rid


async def test_staff_read_every_entry_with_who_what_result_and_before_and_after(api: Api, acted: str):
    items = await trail(api, acted)
    assert {"open", "confirm_receipt", "record_advice", "document_made"} <= set(actions(items))
    receipt = next(i for i in items if i["action"] == "confirm_receipt")
    assert receipt["user"] == {"id": "sanne", "name": "Sanne Behandelaar", "role": "staff"}
    assert receipt["result"] == 200 and receipt["source"] == "inspraak" and receipt["application"] == "inspraak-api"
    assert (receipt["old"]["state"], receipt["new"]["state"]) == ("VERZONDEN", "IN_BEHANDELING")
    assert receipt["input"] == {"received_on": TODAY} and receipt["correlation_id"] == "audit-test-0001"
    assert receipt["explanation"]  # the timeline's line of the step
    advice = next(i for i in items if i["action"] == "record_advice")
    assert advice["user"]["role"] == "organisation" and advice["user"]["id"] == "hv-eendracht"
    # Refused actions, recorded by the API: who, the answer and why; never the body.
    refused = [i for i in items if i["result"] == 409]
    assert sorted(i["action"] for i in refused) == ["confirm_receipt", "record_execution"]
    assert all("ADVIES_ONTVANGEN" in i["explanation"] and i["input"] is None for i in refused)
    assert {i["user"]["role"] for i in refused} == {"staff", "organisation"}
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)


async def test_the_organisation_reads_its_own_entries_without_staff_only_ones_or_the_input(api: Api, acted: str):
    staff, own = await trail(api, acted), await trail(api, acted, "own")
    assert 0 < len(own) < len(staff)
    assert all(i["visibility"] == "organisation" and i["input"] is None for i in own)
    refused = [i for i in own if i["result"] == 409]
    assert [i["user"]["role"] for i in refused] == ["organisation"]  # its own refusal, not staff's


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("staff", 200), ("manager", 200), ("own", 200),
                                             ("other", 404)])
async def test_who_may_read_the_trail(api: Api, acted: str, who: str, status: int):
    for query in ("", "?format=csv", "?format=json"):
        r = await api.http.get(f"/v1/trajectories/{acted}/audit{query}", headers=api.auth(who))
        assert r.status_code == status, r.text
        if status != 200:
            assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("trajectory_id", ["adv-2026-9999", "ADV..", "ren-nope"])
async def test_a_trail_of_no_trajectory_is_a_404(api: Api, trajectory_id: str):
    r = await api.http.get(f"/v1/trajectories/{trajectory_id}/audit", headers=api.auth("staff"))
    assert r.status_code == 404


async def test_the_trail_exports_as_csv_and_json(api: Api, acted: str):
    items = await trail(api, acted)
    r = await api.http.get(f"/v1/trajectories/{acted}/audit?format=csv", headers=api.auth("staff"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith(f'attachment; filename="audit-{acted}-')
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) >= len(items)
    receipt = next(row for row in rows if row["action"] == "confirm_receipt")
    assert receipt["user_name"] == "Sanne Behandelaar" and json.loads(receipt["new"])["state"] == "IN_BEHANDELING"
    r = await api.http.get(f"/v1/trajectories/{acted}/audit?format=json", headers=api.auth("own"))
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.json"')
    assert all(i["visibility"] == "organisation" for i in r.json()["items"])
    r = await api.http.get(f"/v1/trajectories/{acted}/audit?format=xml", headers=api.auth("staff"))
    assert r.status_code == 400


async def test_a_renovations_trail_names_no_home_to_the_organisation(api: Api):
    rid = await ready_for_proposals(api, 12)
    staff = await trail(api, rid, until=lambda items: "constitute_panel" in actions(items))
    assert {"invite", "record_sign_up", "constitute_panel", "documents_merged"} <= set(actions(staff))
    sign_up = next(i for i in staff if i["action"] == "record_sign_up")
    assert sign_up["visibility"] == "staff" and sign_up["input"]["unit_id"] == "301-002"
    r = await api.http.get(f"/v1/trajectories/{rid}/audit", headers=await own_token(api))
    assert r.status_code == 200, r.text
    own = r.json()["items"]
    assert "record_sign_up" not in actions(own) and "constitute_panel" in actions(own)
    assert "301-002" not in json.dumps(own)  # the panel member's home: not in the organisation's trail
    for who in ("other", "own"):  # hv-eendracht and sh-de-linde are not this renovation's organisation
        r = await api.http.get(f"/v1/trajectories/{rid}/audit", headers=api.auth(who))
        assert r.status_code == 404
