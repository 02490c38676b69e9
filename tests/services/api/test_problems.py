"""What the framework itself refuses, and what goes wrong unexpectedly, has the one problem shape too."""

import logging
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


async def test_an_unexpected_error_carries_a_correlation_id_that_the_log_has_too(
        http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.ERROR, logger="inspraak.services.api.errors"):
        r = await http.get("/boom")
    cid = r.json()["correlationId"]
    assert r.headers["x-correlation-id"] == cid and len(cid) >= 16
    assert any(cid in rec.getMessage() and rec.exc_info for rec in caplog.records)


async def test_every_answer_has_a_correlation_id(http: httpx.AsyncClient):
    ok = await http.get("/healthz")
    missing = await http.get("/v1/nothing-here")
    assert ok.headers["x-correlation-id"] != missing.headers["x-correlation-id"]
    assert missing.json()["correlationId"] == missing.headers["x-correlation-id"]


async def test_a_plain_correlation_id_of_the_caller_is_kept_and_an_odd_one_replaced(http: httpx.AsyncClient):
    kept = await http.get("/v1/nothing-here", headers={"X-Correlation-Id": "gateway-1234abcd"})
    odd = await http.get("/v1/nothing-here", headers={"X-Correlation-Id": "x<script>"})
    assert kept.headers["x-correlation-id"] == "gateway-1234abcd"
    assert odd.headers["x-correlation-id"] != "x<script>"


async def test_a_body_over_the_limit_is_a_413_problem_before_it_is_parsed(http: httpx.AsyncClient):
    r = await http.post("/v1/advice-requests", content=b"{" + b" " * 2_000_000,
                        headers={"Content-Type": "application/json"})
    assert (r.status_code, r.headers["content-type"]) == (413, PROBLEM)
    assert r.json()["status"] == 413 and r.json()["correlationId"] == r.headers["x-correlation-id"]


async def test_a_chunked_body_over_the_limit_without_content_length_is_a_413(http: httpx.AsyncClient):
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * 50_000

    r = await http.post("/v1/advice-requests", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in r.request.headers
    assert (r.status_code, r.headers["content-type"]) == (413, PROBLEM)


async def test_a_body_under_the_limit_reaches_the_route(http: httpx.AsyncClient):
    # Unauthenticated, so the route refuses it; the point is that it was read and parsed, not a 413.
    r = await http.post("/v1/advice-requests", json={"subject": "x" * 100_000})
    assert r.status_code == 401


async def test_the_limit_is_a_setting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path, max_body_bytes=2048))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
        r = await client.post("/v1/advice-requests", content=b"x" * 2049)
    assert r.status_code == 413
