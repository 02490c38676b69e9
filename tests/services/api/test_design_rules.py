"""The NL API Design Rules 2.2: what their Spectral ruleset checks (``bash ../shared/adr/lint``), checked
here too, and what no linter can see, over real HTTP."""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from inspraak.services.api.app import create_app
from inspraak.services.api.openapi import VERSION_HEADER
from inspraak.settings import Settings
from tests.services.api.conftest import Api

PROBLEM = "application/problem+json"
VERSION_REF = {"$ref": f"#/components/headers/{VERSION_HEADER}"}
# A field the ADR's ruleset takes for a date (nlgov:specify-format-for-date-and-time), or ours names one.
DATE_NAME = re.compile(r"^(date|datum)$|(\w+D|_[dD])(ate|atum)|_on$")


def document_for(settings: Settings) -> dict[str, Any]:
    return create_app(settings).openapi()


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return document_for(Settings(data_dir=tmp_path_factory.mktemp("adr")))


def responses(document: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                yield path, method, status, response


def properties(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for model, schema in document["components"]["schemas"].items():
        for name, prop in schema.get("properties", {}).items():
            yield model, name, prop


# ---- the document ------------------------------------------------------------------------------


def test_the_server_carries_the_major_version_and_every_path_is_relative_to_it(document: dict[str, Any]):
    assert document["servers"] == [{"url": "https://inspraak.voorbeeldhaven.nl/v1"}]
    assert document["paths"] and not [p for p in document["paths"] if p.startswith("/v1")]


def test_the_server_is_the_public_url_setting(tmp_path):  # type: ignore[no-untyped-def]
    document = document_for(Settings(data_dir=tmp_path, api_public_url="https://huurders.corporatie.nl/"))
    assert document["servers"] == [{"url": "https://huurders.corporatie.nl/v1"}]


def test_every_response_documents_the_full_version_header(document: dict[str, Any]):
    assert [(p, m, s) for p, m, s, r in responses(document) if r.get("headers", {}).get(VERSION_HEADER) != VERSION_REF
            ] == []
    header = document["components"]["headers"][VERSION_HEADER]
    assert header["schema"]["example"] == document["info"]["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", document["info"]["version"])


def test_every_error_response_is_documented_as_a_problem(document: dict[str, Any]):
    errors = [(p, m, s, set(r.get("content", {}))) for p, m, s, r in responses(document) if s[0] in "45"]
    assert errors and [e for e in errors if e[3] != {PROBLEM}] == []


def test_the_contact_has_a_project_default(document: dict[str, Any]):
    assert document["info"]["contact"] == {"name": "Inspraak, Woonstichting De Voorbeeldhaven",
                                           "email": "inspraak@voorbeeldhaven.nl",
                                           "url": "https://inspraak.voorbeeldhaven.nl/docs"}


def test_the_contact_is_set_by_inspraak_api_contact_settings(tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INSPRAAK_API_CONTACT_NAME", "Team Huurdersparticipatie")
    monkeypatch.setenv("INSPRAAK_API_CONTACT_EMAIL", "participatie@corporatie.nl")
    monkeypatch.setenv("INSPRAAK_API_CONTACT_URL", "https://corporatie.nl/api")
    assert document_for(Settings(data_dir=tmp_path))["info"]["contact"] == {
        "name": "Team Huurdersparticipatie", "email": "participatie@corporatie.nl", "url": "https://corporatie.nl/api"}


def test_every_date_field_says_format_date_on_the_field_itself(document: dict[str, Any]):
    dates = [(m, n, p) for m, n, p in properties(document)
             if DATE_NAME.search(n) or any(o.get("format") == "date" for o in p.get("anyOf", []))]
    assert len(dates) >= 20
    assert [(m, n) for m, n, p in dates if p.get("format") != "date"] == []


def test_a_nullable_date_stays_nullable(document: dict[str, Any]):
    advice_dated = document["components"]["schemas"]["AdviceReceived"]["properties"]["advice_dated"]
    assert advice_dated["type"] == ["string", "null"] and advice_dated["format"] == "date"
    assert advice_dated["formatMinimum"] == "1970-01-01"


# ---- what a linter cannot see: over real HTTP ------------------------------------------------------


async def test_every_response_carries_the_full_version(api: Api):
    version = (await api.http.get("/v1/openapi.json")).json()["info"]["version"]
    answers = [
        await api.http.get("/healthz"),
        await api.http.get("/v1/organisations", headers=api.auth("staff")),
        await api.http.get("/v1/organisations"),  # 401
        await api.http.get("/v1/nothing-here"),  # 404
        await api.http.delete("/v1/organisations", headers=api.auth("staff")),  # 405
        await api.http.post("/v1/advice-requests", json={}, headers=api.auth("staff")),  # 400
        await api.http.post("/v1/advice-requests", content=b" " * 2_000_000, headers=api.auth("staff")),  # 413
        await api.http.get("/docs"),
        await api.http.get("/v1/openapi.json"),
    ]
    assert [r.status_code for r in answers] == [200, 200, 401, 404, 405, 400, 413, 200, 200]
    assert [r.headers.get(VERSION_HEADER) for r in answers] == [version] * len(answers)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/organisations/"), ("GET", "/v1/trajectories/"), ("POST", "/v1/advice-requests/")])
async def test_a_trailing_slash_is_a_404_problem_not_a_redirect(api: Api, method: str, path: str):
    r = await api.http.request(method, path, json={}, headers=api.auth("staff"))
    assert (r.status_code, r.headers["content-type"]) == (404, PROBLEM)
    assert "location" not in r.headers


async def test_the_document_is_served_at_v1_to_anyone_from_any_origin(api: Api):
    r = await api.http.get("/v1/openapi.json", headers={"Origin": "https://ontwikkelaar.example"})
    assert (r.status_code, r.headers["access-control-allow-origin"]) == (200, "*")
    assert r.json()["servers"][0]["url"].endswith("/v1") and "/organisations" in r.json()["paths"]


async def test_there_is_no_unversioned_document(api: Api):
    r = await api.http.get("/openapi.json")
    assert (r.status_code, r.headers["content-type"]) == (404, PROBLEM)
