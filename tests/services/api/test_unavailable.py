"""Temporal unreachable: a 503 problem, nothing started."""


import httpx

from inspraak.services.api.app import create_app
from inspraak.services.api.auth import Role, issue_token
from inspraak.settings import Settings
from tests.activities.conftest import free_port


async def test_temporal_unreachable_is_a_503_problem(tmp_path):
    settings = Settings(data_dir=tmp_path, temporal_address=f"127.0.0.1:{free_port()}")
    app = create_app(settings)
    token = issue_token(settings, role=Role.STAFF, subject="s", name="S", email="s@voorbeeldhaven.nl")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http:
        r = await http.get("/v1/trajectories", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert "nothing was changed" in r.json()["detail"]
