"""Benchmark: N personalised letters, naive docxtpl against ``DocumentRenderer``, in the same run.

The naive way opens the template with a new ``DocxTemplate`` for every letter, renders and saves it;
``DocumentRenderer`` prepares each template once and only runs the compiled Jinja per letter. The
renovation trajectory mail-merges up to 1,000 letters, which is the default N.

Usage: ``python bench/render_letters.py [--n 1000] [--type adviesaanvraag] [--templates templates]``
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402

from inspraak.activities.document_samples import sample_context  # noqa: E402
from inspraak.activities.rendering import DocumentRenderer, make_environment  # noqa: E402
from inspraak.domain.documents import DocumentType  # noqa: E402
from inspraak.domain.letter_contexts import Brief  # noqa: E402

SURNAMES = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "El Amrani",
            "Yilmaz", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Kaya", "Dekker", "van Leeuwen"]
STREETS = ["Anjerstraat", "Dahliastraat", "Tulpstraat", "Irisplein"]


def personalised(base: Brief, i: int) -> Brief:
    """Letter ``i`` of the merge: its own addressee, address and reference."""
    name = SURNAMES[i % len(SURNAMES)]
    addressee = base.geadresseerde.model_copy(update={
        "naam": f"De heer/mevrouw {name}",
        "soort": "huurder",
        "ter_attentie_van": "",
        "adres": f"{STREETS[i % len(STREETS)]} {i % 97 + 1}",
        "postcode_plaats": f"30{12 + i % 80:02d} {chr(65 + i % 26)}{chr(65 + i // 26 % 26)}  Rotterdam",
    })
    return base.model_copy(update={"geadresseerde": addressee, "kenmerk": f"{base.kenmerk}/{i + 1:04d}"})


def naive(path: Path, contexts: list[Brief]) -> float:
    env = make_environment()
    start = time.perf_counter()
    for context in contexts:
        tpl = DocxTemplate(path)
        tpl.render({name: getattr(context, name) for name in type(context).model_fields}, env)
        out = io.BytesIO()
        tpl.save(out)
    return time.perf_counter() - start


def cached(renderer: DocumentRenderer, doc_type: DocumentType, contexts: list[Brief]) -> float:
    start = time.perf_counter()
    for context in contexts:
        renderer.render(doc_type, context)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="letters per approach (default 1000)")
    parser.add_argument("--type", default=DocumentType.ADVIESAANVRAAG.value,
                        choices=[t.value for t in DocumentType])
    parser.add_argument("--templates", type=Path, default=ROOT / "templates")
    args = parser.parse_args(argv)

    doc_type = DocumentType(args.type)
    base = sample_context(doc_type)
    contexts = [personalised(base, i) for i in range(args.n)]
    renderer = DocumentRenderer(args.templates)
    path = renderer.path(doc_type)

    # The first letter of each pays for imports and, for the renderer, for preparing the template: a
    # worker pays that once per process, so it is kept out of the figures and printed on its own.
    start = time.perf_counter()
    renderer.render(doc_type, base)
    first = time.perf_counter() - start
    naive(path, contexts[:1])

    t_naive = naive(path, contexts)
    t_cached = cached(renderer, doc_type, contexts)

    print(f"{args.n} personalised '{doc_type.value}' letters, template {path.name} "
          f"(version {renderer.template_version(doc_type)})")
    print(f"  naive docxtpl (new DocxTemplate per letter): {t_naive:8.2f} s  "
          f"{args.n / t_naive:8.1f} letters/s  {1000 * t_naive / args.n:6.2f} ms/letter")
    print(f"  DocumentRenderer (template prepared once):   {t_cached:8.2f} s  "
          f"{args.n / t_cached:8.1f} letters/s  {1000 * t_cached / args.n:6.2f} ms/letter")
    print(f"  speed-up: {t_naive / t_cached:.1f}x   (preparing the template once: {1000 * first:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
