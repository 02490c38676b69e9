"""The way to a renovation's vote through the API, written once for every API test that needs one."""

import asyncio
from datetime import UTC, datetime, timedelta

from tests.services.api.conftest import Api
from tests.services.api.test_renovations import own_token, start_body
from tests.workflows.renovation_setup import PDF, households_csv


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def with_active_panel(api: Api, homes: int, body: dict | None = None) -> str:
    """A renovation of ``homes`` homes whose households were invited and whose panel is active; its id."""
    staff = api.auth("staff")
    r = await api.http.post("/v1/renovations", json=body or start_body(households_csv(homes)), headers=staff)
    assert r.status_code == 201, r.text
    rid: str = r.json()["id"]
    r = await api.http.post(f"/v1/renovations/{rid}/invitation", headers=staff, json={
        "kickoff_at": (datetime.now(UTC) + timedelta(days=10)).isoformat(), "kickoff_place": "buurthuis",
        "sign_up_deadline": (datetime.now(UTC) + timedelta(days=21)).date().isoformat()})
    assert r.status_code == 200, r.text
    r = await api.http.post(f"/v1/renovations/{rid}/sign-ups", headers=staff,
                            json={"unit_id": "301-002", "signed_up_on": today()})
    assert r.status_code == 200, r.text
    r = await api.http.post(f"/v1/renovations/{rid}/panel", headers=staff, json={
        "legal_status": "bc_wohv", "members": [{"unit_id": "301-002", "role": "voorzitter"}],
        "facilities": "Een zaal.", "working_agreements": "Maandelijks.", "constituted_on": today()})
    assert r.status_code == 200, r.text
    return rid


async def hand_in_plans(api: Api, rid: str) -> None:
    """B6: both plans handed in as files (PDFs, known by their content)."""
    for kind in ("projectplan", "sociaal_plan"):
        r = await api.http.post(f"/v1/renovations/{rid}/plans", params={"kind": kind}, content=PDF + kind.encode(),
                                headers=api.auth("staff") | {"Content-Type": "application/pdf"})
        assert r.status_code == 200, r.text


ADVICE_BODY = {"intention": "Wij willen het complex renoveren.", "reasons": "De woningen zijn verouderd.",
               "consequences": "Tijdelijke overlast; huurverhoging na de werkzaamheden."}


async def start_advice(api: Api, rid: str) -> str:
    """B7: the advice request on the plans; its id (an advice request's, at /v1/advice-requests)."""
    r = await api.http.post(f"/v1/renovations/{rid}/advice-request", json=ADVICE_BODY, headers=api.auth("staff"))
    assert r.status_code == 200, r.text
    return str(r.json()["advice_request_id"])


async def advice_followed(api: Api, advice_id: str, addressee: dict[str, str]) -> None:
    """The addressee hands in its advice, staff follow it: executable at once."""
    r = await api.http.post(f"/v1/advice-requests/{advice_id}/advice", headers=addressee,
                            json={"received_on": today(), "points": [{"summary": "Graag een modelwoning."}]})
    assert r.status_code == 200, r.text
    r = await api.http.post(f"/v1/advice-requests/{advice_id}/decision", headers=api.auth("staff"),
                            json={"decision": "followed", "points": [{"adopted": "ja"}]})
    assert r.status_code == 200, r.text


async def reaches(api: Api, rid: str, state: str, timeout: float = 30) -> dict:
    """The renovation as staff see it once it is in ``state`` (the advice request's news comes a moment later)."""
    for _ in range(int(timeout / 0.05)):
        r = await api.http.get(f"/v1/renovations/{rid}", headers=api.auth("staff"))
        if r.json()["state"] == state:
            return dict(r.json())
        await asyncio.sleep(0.05)
    raise AssertionError(f"{rid} is in {r.json()['state']}, not {state}")


async def ready_for_proposals(api: Api, homes: int) -> str:
    """A renovation of ``homes`` homes in the state where staff may send the proposals (B9, VOORSTEL_DEFINITIEF):
    an active panel, both plans, the advice request on them, the addressee's advice followed; its id."""
    rid = await with_active_panel(api, homes)
    await hand_in_plans(api, rid)
    advice_id = await start_advice(api, rid)
    await advice_followed(api, advice_id, await own_token(api))
    await reaches(api, rid, "VOORSTEL_DEFINITIEF")
    return rid


async def voting_renovation(api: Api, homes: int, proposal: dict) -> str:
    """A renovation whose proposals (``proposal``, the body of POST .../proposals) went out; its id."""
    rid = await ready_for_proposals(api, homes)
    r = await api.http.post(f"/v1/renovations/{rid}/proposals", headers=api.auth("staff"), json=proposal)
    assert r.status_code == 200, r.text
    return rid
