"""The API over real HTTP (uvicorn on loopback) against a real worker and Temporal's dev server."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
import uvicorn
from temporalio.testing import WorkflowEnvironment

from inspraak.services.api.app import create_app
from inspraak.services.api.auth import Role, issue_token
from inspraak.services.worker.main import build_worker
from inspraak.settings import Settings
from tests.activities.conftest import free_port


@dataclass
class Api:
    http: httpx.AsyncClient
    settings: Settings
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who != "anonymous" else {}

    async def create(self, who: str = "staff", path: str = "/v1/advice-requests", **fields: object) -> httpx.Response:
        org = str(fields.get("organisation_id", "hv-eendracht"))
        body = {
            "organisation_id": org, "subject": "Nieuw onderhoudsbeleid", "category": "a",
            "intention": "Wij gaan planmatig onderhoud anders plannen.", "reasons": "Kosten en kwaliteit.",
            "consequences": "Minder overlast, geen huurverhoging.", "complexes": COMPLEXES.get(org, []),
            "information_provided_on": date.today().isoformat(),
        } | fields
        return await self.http.post(path, json=body, headers=self.auth(who))

    async def view(self, trajectory_id: str, who: str = "staff") -> dict:
        r = await self.http.get(f"/v1/advice-requests/{trajectory_id}", headers=self.auth(who))
        assert r.status_code == 200, r.text
        return r.json()


# One complex of each demo organisation: a request names only complexes of its addressee.
COMPLEXES = {"hv-eendracht": ["Complex 101 Vissersbuurt"], "sh-de-linde": ["Complex 201 Lindenhof"],
             "bc-de-molen": ["Complex 301 De Molen (48 woningen)"]}


def tokens_for(settings: Settings) -> dict[str, str]:
    return {
        "staff": issue_token(settings, role=Role.STAFF, subject="sanne", name="Sanne Behandelaar",
                             email="sanne@voorbeeldhaven.nl"),
        "manager": issue_token(settings, role=Role.MANAGER, subject="marieke", name="Marieke de Vries",
                               email="m.devries@voorbeeldhaven.nl"),
        "own": issue_token(settings, role=Role.ORGANISATION, subject="hv-eendracht", name="Huurdersvereniging "
                           "Eendracht", email="secretaris@hv-eendracht.nl", organisation_id="hv-eendracht"),
        "other": issue_token(settings, role=Role.ORGANISATION, subject="sh-de-linde", name="De Linde",
                             email="bestuur@hb-delinde.nl", organisation_id="sh-de-linde"),
    }


@pytest.fixture(scope="module")
async def api(dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    data: Path = tmp_path_factory.mktemp("api")
    settings = Settings(data_dir=data, task_queue=f"api-{uuid.uuid4().hex[:8]}", api_port=free_port())
    app = create_app(settings, client=dev_env.client)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.api_port, log_level="warning"))
    async with build_worker(dev_env.client, settings):
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.api_port}", timeout=30) as http:
            yield Api(http, settings, tokens_for(settings))
        server.should_exit = True
        await task
