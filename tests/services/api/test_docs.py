"""/docs works without internet: Swagger UI's files come from the API itself."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from inspraak.services.api.app import create_app
from inspraak.settings import Settings


@pytest.fixture
async def http(tmp_path) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
        yield client


async def test_the_docs_page_names_no_other_host(http: httpx.AsyncClient):
    r = await http.get("/docs")
    assert r.status_code == 200
    assert not re.findall(r"(?:https?:)?//[\w.-]+", r.text)


async def test_every_file_the_docs_page_loads_is_served_here(http: httpx.AsyncClient):
    page = (await http.get("/docs")).text
    urls = re.findall(r"""(?:href|src)="([^"]+)"|url: '([^']+)'""", page)
    urls = [a or b for a, b in urls]
    assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/v1/openapi.json"} <= set(urls)
    for url in urls:
        r = await http.get(url)
        assert r.status_code == 200, url
        assert r.content, url


async def test_redoc_is_off_because_it_only_loads_from_a_cdn(http: httpx.AsyncClient):
    assert (await http.get("/redoc")).status_code == 404
