"""The image's Dockerfile, read without building it: pinned bases, a non-root user, the constraints file,
an entrypoint that the package installs, and a build context that holds what it copies."""

import fnmatch
import re
import tomllib
from pathlib import Path

from inspraak.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def of(kind: str) -> list[str]:
    return [arg for k, arg in instructions() if k == kind]


def test_every_base_image_is_python_slim_pinned_to_a_patch_version():
    bases = [arg.split()[0] for arg in of("FROM")]
    assert len(bases) >= 2, "multi-stage: a build stage and a runtime stage"
    for base in bases:
        assert re.fullmatch(r"python:3\.\d+\.\d+-slim(-\w+)?", base), f"{base} is not a pinned python slim image"


def test_the_image_runs_as_a_non_root_user():
    users = of("USER")
    assert users, "no USER: the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def test_installs_with_the_constraints_file():
    assert any("pip install -c constraints.txt ." in arg for arg in of("RUN"))


def test_entrypoint_is_the_inspraak_command_the_package_installs():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert of("ENTRYPOINT") == ['["inspraak"]'] and "inspraak" in scripts


def test_every_inspraak_variable_it_sets_is_a_setting():
    fields = {f"INSPRAAK_{name.upper()}" for name in Settings.model_fields}
    variables = set(re.findall(r"\b(INSPRAAK_[A-Z0-9_]+)=", " ".join(of("ENV"))))
    assert variables and variables <= fields, sorted(variables - fields)


def test_every_file_it_copies_exists_and_is_in_the_build_context():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]

    def included(path: str) -> bool:
        keep = True
        for pattern in patterns:
            negated = pattern.startswith("!")
            pattern = pattern.removeprefix("!").rstrip("/")
            if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
                keep = negated
        return keep

    for arg in of("COPY"):
        if arg.startswith("--from"):
            continue
        for source in arg.split()[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: no such file"
            assert included(source), f"COPY {source}: excluded by .dockerignore"
