"""The way to a renovation's vote through the API, written once for every API test that needs one."""

from datetime import UTC, datetime, timedelta

from tests.services.api.conftest import Api
from tests.services.api.test_renovations import start_body
from tests.workflows.renovation_setup import households_csv


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def ready_for_proposals(api: Api, homes: int) -> str:
    """A renovation of ``homes`` homes in the state where staff may send the proposals (B9); its id."""
    staff = api.auth("staff")
    r = await api.http.post("/v1/renovations", json=start_body(households_csv(homes)), headers=staff)
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


async def voting_renovation(api: Api, homes: int, proposal: dict) -> str:
    """A renovation whose proposals (``proposal``, the body of POST .../proposals) went out; its id."""
    rid = await ready_for_proposals(api, homes)
    r = await api.http.post(f"/v1/renovations/{rid}/proposals", headers=api.auth("staff"), json=proposal)
    assert r.status_code == 200, r.text
    return rid
