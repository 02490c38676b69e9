"""``inspraak templates check``: every letter template against its context model, rendered with samples.

``inspraak templates text``: the plain-text rendering beside every template, for review.
"""

from pathlib import Path

from inspraak.activities.documents import DocumentRenderer
from inspraak.activities.template_text import write_texts
from inspraak.domain.documents import DocumentType


def run_check(templates_dir: Path) -> int:
    """Print what is wrong with the templates; 1 when any template has an error, else 0.

    Warnings (a context field that a template does not use) are printed but do not fail the check.
    """
    problems = DocumentRenderer(templates_dir).check()
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    total = len(DocumentType)
    for problem in errors + warnings:
        print(problem)
    if errors:
        broken = len({p.template for p in errors})
        summary = _count(len(errors), "error")
        if warnings:
            summary += " and " + _count(len(warnings), "warning")
        print(f"{summary} in {broken} of {total} templates ({templates_dir})")
        return 1
    if warnings:
        print(f"all {total} templates render; no undeclared variables; "
              f"{_count(len(warnings), 'warning')} about unused fields")
        return 0
    print(f"all {total} templates render; no undeclared or unused variables")
    return 0


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def run_text(templates_dir: Path) -> int:
    """(Re)write ``<type>.txt`` beside every template; print which changed. Always 0."""
    changed = write_texts(templates_dir)
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print(f"every plain-text rendering in {templates_dir} is up to date")
    return 0
