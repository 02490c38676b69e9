"""What the framework itself refuses, and what goes wrong unexpectedly, has the one problem shape too."""

from collections.abc import AsyncIterator

import httpx
import pytest

from inspraak.services.api.app import create_app
from inspraak.settings import Settings

PROBLEM = "application/problem+json"


@pytest.fixture
async def http(tmp_path) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path))

    @app.get("/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


async def test_an_unknown_path_is_a_404_problem(http: httpx.AsyncClient):
    r = await http.get("/v1/nothing-here")
    assert (r.status_code, r.headers["content-type"]) == (404, PROBLEM)
    assert r.json()["title"] == "Not Found" and r.json()["instance"] == "/v1/nothing-here"


async def test_a_method_the_path_has_not_is_a_405_problem(http: httpx.AsyncClient):
    r = await http.delete("/v1/organisations")
    assert (r.status_code, r.headers["content-type"]) == (405, PROBLEM)
    assert "GET" in r.headers["allow"]


async def test_an_unexpected_error_is_a_500_problem_that_does_not_leak_its_text(http: httpx.AsyncClient):
    r = await http.get("/boom")
    assert (r.status_code, r.headers["content-type"]) == (500, PROBLEM)
    assert "secret" not in r.text
