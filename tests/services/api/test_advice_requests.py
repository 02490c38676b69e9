"""Advice requests over HTTP: a trajectory through the API, problem+json for bad input."""

from datetime import date, timedelta

from tests.services.api.conftest import Api

PROBLEM = "application/problem+json"


async def test_staff_start_an_advice_request_and_see_its_term_and_letter(api: Api):
    r = await api.create()
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["Location"] == f"/v1/advice-requests/{body['id']}"
    # hv-eendracht agreed eight weeks in its SOK (Wohv art. 6): longer than the law's six.
    assert date.fromisoformat(body["term"]["due_on"]) >= date.today() + timedelta(weeks=8)
    v = await api.http.get(f"/v1/advice-requests/{body['id']}", headers=api.auth("staff"))
    assert v.status_code == 200
    assert v.json()["state"] == "VERZONDEN"


async def test_the_organisation_hands_in_its_advice_and_staff_decide(api: Api):
    rid = (await api.create()).json()["id"]
    advice = {"received_on": date.today().isoformat(), "points": [{"summary": "Meer groen"}]}
    r = await api.http.post(f"/v1/advice-requests/{rid}/advice", json=advice, headers=api.auth("own"))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "ADVIES_ONTVANGEN"
    assert any(e["event"] == "advice_received" and e["actor"] == "organisation" for e in r.json()["timeline"])
    decision = {"decision": "not_followed", "points": [{"adopted": "nee", "motivation": "Te duur."}]}
    r = await api.http.post(f"/v1/advice-requests/{rid}/decision", json=decision, headers=api.auth("staff"))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "REACTIE_VERZONDEN"
    types = [d["type"] for d in r.json()["documents"]]
    assert types == ["adviesaanvraag", "ontvangstbevestiging_advies", "reactie_advies"]


async def test_a_term_shorter_than_six_weeks_is_refused_naming_the_field_and_article_wohv_art_5_lid_1(api: Api):
    r = await api.create(organisation_id="sh-de-linde",
                         advice_term_ends_on=(date.today() + timedelta(weeks=5)).isoformat())
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    err = r.json()["errors"][0]
    assert err["field"] == "advice_term_ends_on"
    assert "artikel 5 lid 1" in err["message"]


async def test_a_term_shorter_than_the_agreed_eight_weeks_is_refused_wohv_art_6(api: Api):
    r = await api.create(advice_term_ends_on=(date.today() + timedelta(weeks=7)).isoformat())
    assert r.status_code == 422
    assert "agreement with Huurdersvereniging Eendracht" in r.json()["errors"][0]["message"]


async def test_consent_for_a_bewonerscommissie_is_refused_wohv_art_5a(api: Api):
    r = await api.create(organisation_id="bc-de-molen", category="j", consent_requested=True)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "consent_requested"
    assert "artikel 5a" in r.json()["errors"][0]["message"]


async def test_consent_outside_servicekosten_is_refused_wohv_art_5a(api: Api):
    r = await api.create(category="a", consent_requested=True)
    assert r.status_code == 422
    assert "artikel 5a" in r.json()["detail"]


async def test_a_missing_field_is_named_with_its_rule(api: Api):
    r = await api.http.post("/v1/advice-requests", json={"organisation_id": "hv-eendracht"},
                            headers=api.auth("staff"))
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    fields = {(e["field"], e["rule"]) for e in r.json()["errors"]}
    assert ("subject", "missing") in fields
    assert ("information_provided_on", "missing") in fields


async def test_an_unknown_organisation_is_refused(api: Api):
    r = await api.create(organisation_id="nobody")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "organisation_id"


async def test_an_action_the_state_does_not_allow_is_a_409_that_says_why(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/execution", json={"executed_on": date.today().isoformat()},
                            headers=api.auth("staff"))
    assert r.status_code == 409
    assert r.headers["content-type"] == PROBLEM
    assert "artikel 5 lid 3" in r.json()["detail"]


async def test_a_decision_with_the_wrong_number_of_points_is_a_422_naming_points(api: Api):
    rid = (await api.create()).json()["id"]
    advice = {"received_on": date.today().isoformat(), "points": [{"summary": "A"}, {"summary": "B"}]}
    await api.http.post(f"/v1/advice-requests/{rid}/advice", json=advice, headers=api.auth("staff"))
    r = await api.http.post(f"/v1/advice-requests/{rid}/decision",
                            json={"decision": "followed", "points": [{"adopted": "ja"}]}, headers=api.auth("staff"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "points"


async def test_a_date_in_the_future_is_refused(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/receipt",
                            json={"received_on": (date.today() + timedelta(days=3)).isoformat()},
                            headers=api.auth("staff"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "received_on"


async def test_the_actor_cannot_be_set_by_the_caller(api: Api):
    rid = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{rid}/receipt",
                            json={"received_on": date.today().isoformat(),
                                  "actor": {"role": "staff", "name": "Spoof"}}, headers=api.auth("own"))
    assert r.status_code == 200
    entry = r.json()["timeline"][-1]
    assert entry["actor"] == "organisation" and entry["by"] != "Spoof"


async def test_an_unknown_trajectory_is_a_404_problem(api: Api):
    r = await api.http.get("/v1/advice-requests/adv-19990101-000000", headers=api.auth("staff"))
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
