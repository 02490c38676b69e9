"""Who may do what: every endpoint for every role. An organisation sees its own and nothing else (404)."""

import asyncio
from datetime import date, timedelta

import pytest

from tests.services.api.conftest import Api

ROLES = ["anonymous", "staff", "manager", "own", "other"]
STAFF_ONLY = ["term-extension", "decision", "dispute", "dispute-resolution", "execution", "withdrawal", "closing"]
ORGANISATION_MAY = ["receipt", "overleg", "advice", "no-objection", "consent", "reply-receipt"]
TODAY = date.today().isoformat()
BODIES = {
    "receipt": {"received_on": TODAY},
    "overleg": {"requested_on": TODAY},
    "term-extension": {"new_end": "2099-01-01", "reason": "verzoek"},
    "advice": {"received_on": TODAY, "points": [{"summary": "x"}]},
    "no-objection": {"received_on": TODAY},
    "consent": {"received_on": TODAY, "given": True},
    "decision": {"decision": "followed", "points": [{"adopted": "ja"}]},
    "reply-receipt": {"received_on": TODAY},
    "dispute": {"forum": "huurcommissie", "filed_on": TODAY, "description": "x"},
    "dispute-resolution": {"resolved_on": TODAY, "outcome": "x"},
    "execution": {"executed_on": TODAY},
    "withdrawal": {"reason": "x"},
    "closing": {},
}


@pytest.fixture(scope="module")
async def trajectory(api: Api) -> str:
    """An advice request to hv-eendracht ('own'); 'other' is sh-de-linde."""
    r = await api.create(organisation_id="hv-eendracht")
    assert r.status_code == 201
    return r.json()["id"]


@pytest.fixture(scope="module")
async def document(api: Api, trajectory: str) -> str:
    return (await api.view(trajectory))["documents"][0]["id"]


@pytest.fixture(scope="module")
async def escalated(api: Api) -> str:
    """A consent request to hv-eendracht registered after its term passed: it escalates to the manager at once
    (art. 5a: nothing is deemed), so it has an internal memo without any waiting."""
    r = await api.create(path="/v1/advice-requests/registrations", category="j", consent_requested=True,
                         information_provided_on=(date.today() - timedelta(weeks=12)).isoformat())
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    for _ in range(100):
        if any(d["type"] == "interne_escalatie" for d in (await api.view(rid))["documents"]):
            return rid
        await asyncio.sleep(0.1)
    raise AssertionError("no escalation memo was made")


@pytest.fixture(scope="module")
async def memo(api: Api, escalated: str) -> str:
    return next(d["id"] for d in (await api.view(escalated))["documents"] if d["type"] == "interne_escalatie")


@pytest.mark.parametrize("who", ROLES)
async def test_healthz_is_open_to_everyone(api: Api, who: str):
    assert (await api.http.get("/healthz", headers=api.auth(who))).status_code == 200


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("staff", 201), ("manager", 201), ("own", 403),
                                             ("other", 403)])
async def test_only_staff_start_advice_requests(api: Api, who: str, status: int):
    assert (await api.create(who=who)).status_code == status


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("staff", 200), ("manager", 200), ("own", 200),
                                             ("other", 404)])
async def test_reading_a_trajectory(api: Api, trajectory: str, who: str, status: int):
    r = await api.http.get(f"/v1/advice-requests/{trajectory}", headers=api.auth(who))
    assert r.status_code == status
    if status >= 400:
        assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("action", STAFF_ONLY)
@pytest.mark.parametrize(("who", "allowed"), [("anonymous", 401), ("staff", True), ("manager", True), ("own", 403),
                                              ("other", 403)])
async def test_staff_actions(api: Api, trajectory: str, action: str, who: str, allowed: int | bool):
    # Allowed means the request reaches the workflow: it may still refuse it for the state (409) or
    # the input (400). Not allowed is 401 or 403, before anything is looked up.
    if action == "withdrawal":
        trajectory = (await api.create()).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{trajectory}/{action}", json=BODIES[action],
                            headers=api.auth(who))
    if allowed is True:
        assert r.status_code in (200, 400, 409), r.text
    else:
        assert r.status_code == allowed


@pytest.mark.parametrize("action", ORGANISATION_MAY)
@pytest.mark.parametrize(("who", "allowed"), [("anonymous", 401), ("staff", True), ("manager", True), ("own", True),
                                              ("other", 404)])
async def test_organisation_actions(api: Api, action: str, who: str, allowed: int | bool):
    trajectory = (await api.create(organisation_id="hv-eendracht",
                                   **({"category": "j", "consent_requested": True} if action == "consent" else {}))
                  ).json()["id"]
    r = await api.http.post(f"/v1/advice-requests/{trajectory}/{action}", json=BODIES[action],
                            headers=api.auth(who))
    if allowed is True:
        assert r.status_code in (200, 409), r.text
    else:
        assert r.status_code == allowed


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("staff", 200), ("manager", 200), ("own", 200),
                                             ("other", 404)])
@pytest.mark.parametrize("suffix", ["", "/content"])
async def test_documents(api: Api, document: str, who: str, status: int, suffix: str):
    r = await api.http.get(f"/v1/documents/{document}{suffix}", headers=api.auth(who))
    assert r.status_code == status
    if status == 200 and suffix:
        assert r.content[:2] == b"PK"  # a .docx is a zip


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("staff", 200), ("manager", 200), ("own", 404),
                                             ("other", 404)])
@pytest.mark.parametrize("suffix", ["", "/content"])
async def test_an_internal_memo_is_for_staff_only(api: Api, memo: str, who: str, status: int, suffix: str):
    # The escalation memo is filed under the organisation's trajectory, but is not the organisation's to read.
    r = await api.http.get(f"/v1/documents/{memo}{suffix}", headers=api.auth(who))
    assert r.status_code == status


async def test_the_organisation_does_not_see_internal_memos_or_escalations_in_its_trajectory(api: Api,
                                                                                             escalated: str):
    staff, own = await api.view(escalated, "staff"), await api.view(escalated, "own")
    assert "interne_escalatie" in [d["type"] for d in staff["documents"]]
    assert "interne_escalatie" not in [d["type"] for d in own["documents"]]
    assert any(e["event"] == "escalation" for e in staff["timeline"])
    assert not any(e["visibility"] == "staff" for e in own["timeline"])


@pytest.mark.parametrize("who", ["staff", "own", "other"])
async def test_a_guessed_document_id_is_a_404(api: Api, trajectory: str, who: str):
    r = await api.http.get(f"/v1/documents/{trajectory}.99-adviesaanvraag", headers=api.auth(who))
    assert r.status_code == 404


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("staff", 200), ("manager", 200), ("own", 200),
                                             ("other", 200)])
async def test_listing_needs_a_token(api: Api, who: str, status: int):
    assert (await api.http.get("/v1/trajectories", headers=api.auth(who))).status_code == status


@pytest.mark.parametrize(("who", "expected"), [("staff", 3), ("own", 1), ("other", 1)])
async def test_organisations_are_visible_to_staff_and_to_themselves(api: Api, who: str, expected: int):
    r = await api.http.get("/v1/organisations", headers=api.auth(who))
    assert len(r.json()) == expected


async def test_anonymous_may_not_list_organisations(api: Api):
    assert (await api.http.get("/v1/organisations")).status_code == 401


async def test_a_forged_token_is_refused(api: Api):
    r = await api.http.get("/v1/trajectories", headers={"Authorization": "Bearer abc.def.ghi"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("staff", 201), ("manager", 201), ("own", 201),
                                             ("other", 404)])
async def test_handing_in_a_file(api: Api, trajectory: str, who: str, status: int):
    r = await api.http.post(f"/v1/advice-requests/{trajectory}/uploads", params={"title": "Bijlage"},
                            content=b"%PDF-1.4\n" + who.encode(), headers=api.auth(who))
    assert r.status_code == status, r.text


async def test_an_organisation_is_offered_only_the_actions_it_may_take(api: Api, trajectory: str):
    staff, own = await api.view(trajectory, "staff"), await api.view(trajectory, "own")
    assert "withdraw" in staff["allowed_actions"] and "extend_term" in staff["allowed_actions"]
    assert "withdraw" not in own["allowed_actions"] and "extend_term" not in own["allowed_actions"]
    assert set(own["allowed_actions"]) <= set(staff["allowed_actions"])
