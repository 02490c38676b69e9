"""After the vote over real HTTP: who may use the routes of B12-B17 and the evidence export, and what the ZIP holds.

The API tests run on the dev server in real time, so a vote here stays open (its reply date is weeks away):
the routes are checked for authorisation, the table's 409 and the validators' 400; the whole way through the
kennisgeving and court is in tests/workflows/test_renovation_objection.py on the time-skipping server.
"""

import csv
import hashlib
import io
import zipfile

import pytest

from tests.services.api.conftest import Api
from tests.services.api.renovation_steps import today, voting_renovation
from tests.services.api.test_renovation_vote import HOMES, by_code, code, proposal_body
from tests.services.api.test_renovations import own_token

# Every new route with a body that passes the model, so staff reach the workflow's table.
ACTIONS = {
    "notices": {},
    "notices/receipts": {"units": ["301-001"], "received_on": today(), "method": "registered_mail"},
    "court-claims": {"unit_id": "301-001", "filed_on": today(), "reference": "KG 27/1"},
    "landlord-claims": {"units": ["301-001"], "filed_on": today()},
    "rulings": {"unit_id": "301-001", "ruling": "reasonable", "ruled_on": today()},
    "rulings/follow": {},
    "proposal/adjustment": {"reason": "Lagere huurverhoging."},
}


@pytest.fixture(scope="module")
async def voting(api: Api) -> str:
    api.settings.reply_code_delay_seconds = 0.2
    return await voting_renovation(api, HOMES, proposal_body())


async def test_every_new_route_is_staff_only_the_organisation_and_another_get_403(api: Api, voting: str):
    own, other = await own_token(api), api.auth("other")
    for path, body in ACTIONS.items():
        url = f"/v1/renovations/{voting}/{path}"
        assert (await api.http.post(url, json=body)).status_code == 401, path
        assert (await api.http.post(url, json=body, headers=own)).status_code == 403, path
        assert (await api.http.post(url, json=body, headers=other)).status_code == 403, path
    for path in ("objections", "evidence"):
        url = f"/v1/renovations/{voting}/{path}"
        assert (await api.http.get(url)).status_code == 401, path
        assert (await api.http.get(url, headers=own)).status_code == 403, path
        assert (await api.http.get(url, headers=other)).status_code == 403, path
        assert (await api.http.get(url, headers=api.auth("staff"))).status_code == 200, path
        missing = await api.http.get(f"/v1/renovations/ren-2027-doesnotexist/{path}", headers=api.auth("staff"))
        assert missing.status_code == 404, path


async def test_while_the_vote_is_open_every_action_after_it_is_a_409_naming_the_state(api: Api, voting: str):
    for path, body in ACTIONS.items():
        r = await api.http.post(f"/v1/renovations/{voting}/{path}", json=body, headers=api.auth("staff"))
        assert r.status_code == 409, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "DRAAGVLAKMETING" in r.text, path


async def test_a_receipt_without_units_or_with_a_method_we_do_not_know_is_a_400_naming_the_field(api: Api,
                                                                                                  voting: str):
    url = f"/v1/renovations/{voting}/notices/receipts"
    r = await api.http.post(url, headers=api.auth("staff"), json={"units": [], "received_on": today(),
                                                                  "method": "registered_mail"})
    assert r.status_code == 400 and any("units" in p["name"] for p in r.json()["invalidParams"])
    r = await api.http.post(url, headers=api.auth("staff"), json={"units": ["301-001"], "received_on": today(),
                                                                  "method": "pigeon"})
    assert r.status_code == 400 and any("method" in p["name"] for p in r.json()["invalidParams"])


def rows(z: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(z.read(name).decode("utf-8-sig")), delimiter=";"))


async def test_the_evidence_zip_opens_and_holds_the_list_every_proposal_with_its_hash_and_every_answer(
        api: Api, voting: str):
    staff = api.auth("staff")
    for choice in ("agreed", "not_agreed"):  # a later answer replaces the first; both are evidence
        r = await api.http.post(f"/v1/renovations/{voting}/answers", headers=staff, json={
            "unit_id": "301-010", "choice": choice, "channel": "home_visit", "answered_on": today()})
        assert r.status_code == 200, r.text
    assert (await by_code(api, voting, code(api, voting, "301-011"))).status_code == 200
    r = await api.http.get(f"/v1/renovations/{voting}/evidence", headers=staff)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert f'filename="{voting}-bewijsdossier-' in r.headers["content-disposition"]
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = set(z.namelist())
    index = z.read("index.html").decode("utf-8")
    assert "Bewijsdossier draagvlakmeting renovatie" in index and "<html lang=\"nl\">" in index
    for name in ("versie-1/lijst.csv", "versie-1/voorstellen.csv", "versie-1/antwoorden.csv", "versie-1/telling.txt",
                 "rechter.csv", "tijdlijn.csv"):
        assert name in names and name in index, name
    listed = rows(z, "versie-1/lijst.csv")
    assert len(listed) == HOMES and listed[0]["huurder"] == "Huurder Nummer 1" and listed[0]["eenheid"] == "301-001"
    sent = rows(z, "versie-1/voorstellen.csv")
    assert len(sent) == HOMES and all(s["gelijk"] == "ja" for s in sent)
    for s in sent:
        assert hashlib.sha256(z.read(s["bestand"])).hexdigest() == s["sha256 bij opslag"]
    answers = [a for a in rows(z, "versie-1/antwoorden.csv") if a["eenheid"] in ("301-010", "301-011")]
    home_visit = [a for a in answers if a["eenheid"] == "301-010"]
    assert [(a["antwoord"], a["telt mee"]) for a in home_visit] == [("ingestemd", "nee"), ("niet ingestemd", "ja")]
    assert all(a["kanaal"] == "huisbezoek" and a["vastgelegd door"] for a in home_visit)
    assert any(a["eenheid"] == "301-011" and "antwoordcode" in a["kanaal"] for a in answers)
    assert "Woningen op de lijst: 12" in z.read("versie-1/telling.txt").decode("utf-8")
    sums = dict(reversed(line.split("  ", 1)) for line in z.read("SHA256SUMS").decode().splitlines())
    assert sums and all(hashlib.sha256(z.read(n)).hexdigest() == h for n, h in sums.items())


async def test_the_objections_view_is_empty_before_the_kennisgeving(api: Api, voting: str):
    r = await api.http.get(f"/v1/renovations/{voting}/objections", headers=api.auth("staff"))
    assert r.status_code == 200 and r.json() == {"notices": None, "court_cases": [], "blocked": []}
