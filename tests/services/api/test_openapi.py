"""The OpenAPI document describes the errors the API really answers with, and no 422."""

from typing import Any

import pytest

from inspraak.services.api.app import create_app
from inspraak.settings import Settings

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return create_app(Settings(data_dir=tmp_path_factory.mktemp("openapi"))).openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_no_operation_documents_a_422(document: dict[str, Any]):
    assert not [(p, m) for p, m, op in operations(document) if "422" in op["responses"]]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_error_response_is_a_problem(document: dict[str, Any]):
    for path, method, op in operations(document):
        for status, response in op["responses"].items():
            if status[0] in "45":
                assert response["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}, (path, method)


# Paths are relative to the document's server, https://…/v1 (test_design_rules.py).
@pytest.mark.parametrize(("operation", "statuses"), [
    (("/advice-requests", "post"), {"400", "401", "403", "404", "409", "413", "500", "503"}),
    (("/advice-requests/{trajectory_id}/decision", "post"),
     {"400", "401", "403", "404", "409", "413", "500", "503"}),
    (("/trajectories", "get"), {"400", "401", "500", "503"}),
    (("/documents/{document_id}", "get"), {"400", "401", "404", "500", "503"}),
    (("/organisations", "get"), {"401", "500"}),
])
def test_each_router_documents_the_problems_it_answers_with(document: dict[str, Any], operation: tuple[str, str],
                                                             statuses: set[str]):
    path, method = operation
    assert {s for s in document["paths"][path][method]["responses"] if s[0] in "45"} == statuses


def test_the_problem_schema_lists_invalid_params(document: dict[str, Any]):
    schemas = document["components"]["schemas"]
    assert {"type", "title", "status", "detail", "instance", "invalidParams", "state", "correlationId"} <= set(
        schemas["Problem"]["properties"])
    assert set(schemas["InvalidParam"]["required"]) == {"name", "code", "reason"}


def test_every_text_and_list_of_every_request_body_is_bounded(document: dict[str, Any]):
    schemas = document["components"]["schemas"]
    unbounded: list[str] = []

    def walk(schema: dict[str, Any], path: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            if name not in seen:
                walk(schemas[name], path, seen | {name})
        for option in schema.get("anyOf", []) + schema.get("allOf", []):
            walk(option, path, seen)
        if schema.get("type") == "string" and not {"format", "enum", "maxLength"} & set(schema):
            unbounded.append(path)
        if schema.get("type") == "array":
            if "maxItems" not in schema:
                unbounded.append(path)
            walk(schema["items"], path + "[]", seen)
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{path}.{name}", seen)

    bodies = 0
    for url, operations in document["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                bodies += 1
                walk(media["schema"], f"{method.upper()} {url}", frozenset())
    assert bodies >= 14 and unbounded == []
