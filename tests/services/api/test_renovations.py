"""Renovations over real HTTP: start with a CSV, bad rows as invalidParams, who may see and do what."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.services.api.conftest import Api
from tests.workflows.renovation_setup import households_csv, new_renovation

# bc-de-molen lists complex 301: a bewonerscommissie, the addressee and the "own" organisation here.
OWN = "bc-de-molen"


def start_body(csv: str) -> dict:
    return new_renovation().model_dump(mode="json") | {"households_csv": csv}


@pytest.fixture(scope="module")
async def renovation(api: Api) -> str:
    r = await api.http.post("/v1/renovations", json=start_body(households_csv(12)), headers=api.auth("staff"))
    assert r.status_code == 201, r.text
    assert r.json()["advice_organisation_id"] == OWN
    return r.json()["id"]


async def own_token(api: Api) -> dict[str, str]:
    from inspraak.services.api.auth import Role, issue_token
    token = issue_token(api.settings, role=Role.ORGANISATION, subject=OWN, name="Bewonerscommissie De Molen",
                        email="bc@demolen.nl", organisation_id=OWN)
    return {"Authorization": f"Bearer {token}"}


async def test_a_bad_csv_is_a_400_naming_every_bad_row_and_starts_nothing(api: Api):
    csv = "eenheid;adres;huurder;contractnummer;huur\n1;Weg 1, 1000 AA Stad;A;C1;abc\n2;Weg 2, 1000 AA Stad;;C2;700\n"
    r = await api.http.post("/v1/renovations", json=start_body(csv), headers=api.auth("staff"))
    assert r.status_code == 400
    params = {(p["name"], p["code"]) for p in r.json()["invalidParams"]}
    assert ("households[2].huur", "rent_format") in params and ("households[3].huurder", "missing") in params


async def test_anonymous_is_401_everywhere(api: Api, renovation: str):
    assert (await api.http.post("/v1/renovations", json=start_body(households_csv(3)))).status_code == 401
    assert (await api.http.get(f"/v1/renovations/{renovation}")).status_code == 401
    assert (await api.http.post(f"/v1/renovations/{renovation}/stop", json={"reason": "x"})).status_code == 401


async def test_only_staff_start_and_act(api: Api, renovation: str):
    headers = await own_token(api)
    assert (await api.http.post("/v1/renovations", json=start_body(households_csv(3)),
                                headers=headers)).status_code == 403
    assert (await api.http.post(f"/v1/renovations/{renovation}/stop", json={"reason": "x"},
                                headers=headers)).status_code == 403


async def test_another_organisation_gets_404(api: Api, renovation: str):
    assert (await api.http.get(f"/v1/renovations/{renovation}", headers=api.auth("other"))).status_code == 404


async def test_staff_invite_and_the_organisation_sees_its_renovation_without_households(api: Api, renovation: str):
    kickoff = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    deadline = (datetime.now(UTC) + timedelta(days=21)).date().isoformat()
    r = await api.http.post(f"/v1/renovations/{renovation}/invitation", headers=api.auth("staff"), json={
        "kickoff_at": kickoff, "kickoff_place": "buurthuis", "sign_up_deadline": deadline})
    assert r.status_code == 200, r.text
    r = await api.http.post(f"/v1/renovations/{renovation}/sign-ups", headers=api.auth("staff"), json={
        "unit_id": "301-002", "signed_up_on": datetime.now(UTC).date().isoformat()})
    assert r.status_code == 200, r.text
    staff = (await api.http.get(f"/v1/renovations/{renovation}", headers=api.auth("staff"))).json()
    assert staff["sign_ups"][0]["unit_id"] == "301-002"
    assert [(m["type"], m["letters"]) for m in staff["merges"]] == [("uitnodiging_renovatie", 12)]
    manifest = staff["merges"][0]["manifest"]["key"]
    assert manifest.startswith(f"trajectories/{renovation}/manifests/")
    # Every household letter is still a document staff can read by its id (not the organisation).
    for n in (1, 12):
        doc_id = f"{renovation}.{staff['merges'][0]['step_prefix']}-{n:04d}"
        r = await api.http.get(f"/v1/documents/{doc_id}", headers=api.auth("staff"))
        assert r.status_code == 200, r.text
        assert (await api.http.get(f"/v1/documents/{doc_id}", headers=await own_token(api))).status_code == 404
    own = await api.http.get(f"/v1/renovations/{renovation}", headers=await own_token(api))
    assert own.status_code == 200
    body = own.json()
    assert body["sign_ups"] is None and body["sign_up_count"] == 1
    assert not any(d["household_id"] for d in body["documents"]) and body["merges"] == []
    assert "301-002" not in own.text and "Huurder Nummer" not in own.text


async def test_a_renovation_is_listed_with_the_other_trajectories(api: Api, renovation: str):
    async def found() -> dict | None:
        r = await api.http.get("/v1/trajectories", params={"type": "renovation"}, headers=api.auth("staff"))
        assert r.status_code == 200, r.text
        return next((i for i in r.json()["items"] if i["id"] == renovation), None)

    item = None
    for _ in range(50):
        item = await found()
        if item:
            break
        await asyncio.sleep(0.1)
    assert item is not None and item["link"] == f"/v1/renovations/{renovation}"
    r = await api.http.get("/v1/trajectories", params={"state": item["state"]}, headers=api.auth("staff"))
    assert r.status_code == 200 and any(i["id"] == renovation for i in r.json()["items"])
    r = await api.http.get("/v1/trajectories", params={"state": "NOT_A_STATE"}, headers=api.auth("staff"))
    assert r.status_code == 400 and r.json()["invalidParams"][0]["name"] == "state"
