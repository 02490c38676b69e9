"""The renovation's domain modules are imported into workflow code: no I/O, no clock, no hidden randomness."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "inspraak" / "domain"
MODULES = ["households.py", "panel.py", "vote.py", "moving_allowance.py", "renovation.py", "renovation_letters.py",
           "merge.py", "objections.py", "objection_letters.py", "evidence.py", "evidence_letters.py"]
ALLOWED = {"csv", "io", "re", "hmac", "hashlib", "tomllib", "collections", "datetime", "decimal", "enum",
           "typing", "pydantic", "pydantic_core", "inspraak", "zoneinfo",
           "zipfile", "html"}  # the evidence ZIP is built in memory, from bytes handed in
FORBIDDEN_CALLS = {"now", "today", "utcnow", "open", "read_text", "urandom", "token_bytes", "getenv"}


@pytest.mark.parametrize("module", MODULES)
def test_a_renovation_domain_module_imports_only_pure_modules(module: str) -> None:
    tree = ast.parse((DOMAIN / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                assert name.split(".")[0] in ALLOWED, f"{module} imports {name}"
                if name.startswith("inspraak"):
                    assert name.startswith("inspraak.domain"), f"{module} imports {name}"


@pytest.mark.parametrize("module", MODULES)
def test_a_renovation_domain_module_reads_no_clock_file_or_environment(module: str) -> None:
    tree = ast.parse((DOMAIN / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            assert name not in FORBIDDEN_CALLS, f"{module} calls {name}"
