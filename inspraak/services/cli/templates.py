"""``inspraak templates check``: every letter template against its context model, rendered with samples.

``inspraak templates text``: the plain-text rendering beside every template, for review.
"""

from collections.abc import Mapping
from pathlib import Path

from inspraak.activities.rendering import DocumentRenderer
from inspraak.activities.template_text import write_texts
from inspraak.domain.documents import DocumentType
from inspraak.domain.letter_contexts import LETTER_TYPES


def run_check(templates_dir: Path, *, override_dir: Path | None = None,
              overrides: Mapping[DocumentType, bytes] | None = None) -> int:
    """Print what is wrong with the templates in use; 1 when any template has an error, else 0.

    The templates in use are the built-in ones, replaced by those in ``override_dir`` and by
    ``overrides`` (from the store). Warnings (a context field that a template does not use) are
    printed but do not fail the check.
    """
    problems = DocumentRenderer(templates_dir, override_dir=override_dir).check(overrides=overrides)
    for doc_type in overrides or {}:
        print(f"{doc_type.value}.docx: checking the override from the document store")
    if override_dir is not None:
        for doc_type in LETTER_TYPES:
            if (override_dir / f"{doc_type.value}.docx").is_file():
                print(f"{doc_type.value}.docx: checking the override in {override_dir}")
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    total = len(LETTER_TYPES)
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
