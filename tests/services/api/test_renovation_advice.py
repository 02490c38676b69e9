"""A renovation's plans and their advice request over real HTTP (B6-B8): staff hand in and start, the addressee
acts on the advice request through its own API, another organisation sees neither."""

import asyncio

import pytest

from inspraak.domain.panel import PanelLegalStatus
from tests.services.api.conftest import Api
from tests.services.api.renovation_steps import (
    ADVICE_BODY,
    advice_followed,
    hand_in_plans,
    reaches,
    start_advice,
    with_active_panel,
)
from tests.services.api.test_renovation_vote import proposal_body
from tests.services.api.test_renovations import own_token
from tests.workflows.renovation_setup import PDF, VISSERSBUURT, households_csv, new_renovation


@pytest.fixture(scope="module")
async def renovation(api: Api) -> str:
    return await with_active_panel(api, 12)


def plan(api: Api, rid: str, who: dict[str, str], data: bytes = PDF, kind: str = "projectplan"):
    return api.http.post(f"/v1/renovations/{rid}/plans", params={"kind": kind}, content=data,
                         headers=who | {"Content-Type": "application/pdf"})


async def test_only_staff_hand_in_plans_and_start_the_advice_request(api: Api, renovation: str):
    own = await own_token(api)
    for who in (own, api.auth("other")):
        assert (await plan(api, renovation, who)).status_code == 403
        r = await api.http.post(f"/v1/renovations/{renovation}/advice-request", json=ADVICE_BODY, headers=who)
        assert r.status_code == 403
    assert (await plan(api, renovation, {})).status_code == 401


async def test_a_plan_is_known_by_its_content_and_the_advice_request_waits_for_both(api: Api, renovation: str):
    # A plan may be as large as any file handed in, larger than a JSON body.
    big = PDF + b"0" * (api.settings.max_body_bytes + 1)
    assert (await plan(api, renovation, api.auth("staff"), data=big)).status_code == 200
    r = await plan(api, renovation, api.auth("staff"), data=b"just some text")
    assert r.status_code == 400 and r.json()["invalidParams"][0]["code"] == "unsupported_file"
    r = await api.http.post(f"/v1/renovations/{renovation}/advice-request", json=ADVICE_BODY,
                            headers=api.auth("staff"))
    assert r.status_code == 409 and "projectplan" in r.json()["detail"]


async def test_the_addressee_acts_on_the_advice_request_another_organisation_sees_nothing(api: Api):
    rid = await with_active_panel(api, 12)
    await hand_in_plans(api, rid)
    staff = (await api.http.get(f"/v1/renovations/{rid}", headers=api.auth("staff"))).json()
    assert staff["state"] == "CONCEPT_PROJECTPLAN" and set(staff["plans"]) == {"projectplan", "sociaal_plan"}
    r = await api.http.post(f"/v1/renovations/{rid}/advice-request", json=ADVICE_BODY, headers=api.auth("staff"))
    assert r.status_code == 200, r.text
    advice_id = r.json()["advice_request_id"]
    assert advice_id.startswith("adv-") and r.json()["links"]["advice_request"] == f"/v1/advice-requests/{advice_id}"

    own = await own_token(api)  # bc-de-molen: the bewonerscommissie of complex 301, the addressee
    advice = await api.http.get(f"/v1/advice-requests/{advice_id}", headers=own)
    assert advice.status_code == 200
    assert advice.json()["organisation_id"] == "bc-de-molen" and advice.json()["parent_id"] == rid
    annex = staff["plans"]["projectplan"]["id"]
    assert annex in {d["id"] for d in advice.json()["documents"]}
    assert (await api.http.get(f"/v1/documents/{annex}/content", headers=own)).status_code == 200
    seen = (await api.http.get(f"/v1/renovations/{rid}", headers=own)).json()
    assert seen["state"] == "ADVIESTRAJECT" and seen["advice_request"]["id"] == advice_id
    assert seen["advice_request"]["due_on"]

    # Listed as any advice request, for the addressee, with its subject (memo and search attributes at start).
    item = None
    for _ in range(100):
        r = await api.http.get("/v1/trajectories", params={"type": "advice_request"}, headers=own)
        item = next((i for i in r.json()["items"] if i["id"] == advice_id), None)
        if item:
            break
        await asyncio.sleep(0.05)
    assert item is not None and item["subject"].startswith("Projectplan en sociaal plan renovatie")

    other = api.auth("other")
    r = await api.http.get("/v1/trajectories", params={"type": "advice_request"}, headers=other)
    assert advice_id not in r.text
    assert (await api.http.get(f"/v1/advice-requests/{advice_id}", headers=other)).status_code == 404
    assert (await api.http.get(f"/v1/renovations/{rid}", headers=other)).status_code == 404
    assert (await api.http.get(f"/v1/documents/{annex}/content", headers=other)).status_code == 404
    r = await api.http.post(f"/v1/advice-requests/{advice_id}/advice", headers=other,
                            json={"received_on": staff["timeline"][0]["at"][:10], "points": [{"summary": "x"}]})
    assert r.status_code == 404

    # No proposals before the advice request is executable (B8; Wohv art. 5 lid 3).
    r = await api.http.post(f"/v1/renovations/{rid}/proposals", headers=api.auth("staff"), json=proposal_body())
    assert r.status_code == 409 and r.json()["state"] == "ADVIESTRAJECT" and "artikel 5 lid 3" in r.json()["detail"]
    await advice_followed(api, advice_id, own)
    view = await reaches(api, rid, "VOORSTEL_DEFINITIEF")
    assert view["advice_request"]["state"] == "UITVOERBAAR"


async def test_a_klantenpanels_advice_request_goes_to_the_huurdersorganisatie_and_stop_withdraws_it(api: Api):
    body = new_renovation(PanelLegalStatus.KLANTENPANEL, VISSERSBUURT).model_dump(mode="json") | {
        "households_csv": households_csv(12)}
    rid = await with_active_panel(api, 12, body)
    await hand_in_plans(api, rid)
    advice_id = await start_advice(api, rid)
    # hv-eendracht ("own" in these tests): Wohv art. 2 lid 2-3; bc-de-molen has nothing to do with it.
    r = await api.http.get(f"/v1/advice-requests/{advice_id}", headers=api.auth("own"))
    assert r.status_code == 200 and r.json()["organisation_id"] == "hv-eendracht"
    assert (await api.http.get(f"/v1/advice-requests/{advice_id}", headers=await own_token(api))).status_code == 404
    r = await api.http.post(f"/v1/renovations/{rid}/stop", json={"reason": "Geen financiering."},
                            headers=api.auth("staff"))
    assert r.status_code == 200, r.text
    for _ in range(200):
        advice = (await api.http.get(f"/v1/advice-requests/{advice_id}", headers=api.auth("staff"))).json()
        if any(d["type"] == "intrekking" for d in advice["documents"]):
            break
        await asyncio.sleep(0.05)
    assert advice["state"] == "INGETROKKEN"
    assert any(d["type"] == "intrekking" for d in advice["documents"])
