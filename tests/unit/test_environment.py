"""The two set-up paths (make's .venv and conda's environment.yml) install the same packages.

Conda's channels are not reachable from CI, so `conda env create` cannot be run here; instead this
checks the files that decide what it installs: environment.yml's pip section must be exactly
requirements.txt plus the project, its Python must satisfy pyproject's requires-python, and the
pins must satisfy pyproject's ranges. A package pinned inline in environment.yml, or a pin that
leaves pyproject's range, fails here.
"""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version
from support import REPO_ROOT

PIP_SECTION = ["-r requirements.txt", "--editable ."]
TEST_COMMAND = "python -m pytest -v"


def environment_problems(environment: str, requirements: str, pyproject: str) -> list[str]:
    """Every way the conda environment and the pinned list disagree (empty: they agree)."""
    problems = []
    spec = yaml.safe_load(environment)
    project = tomllib.loads(pyproject)["project"]
    python = SpecifierSet(project["requires-python"])
    conda, pip = [], None
    for entry in spec.get("dependencies", []):
        if isinstance(entry, dict) and set(entry) == {"pip"}:
            pip = entry["pip"]
        else:
            conda.append(str(entry))
    if pip != PIP_SECTION:
        problems.append(f"environment.yml pip section is {pip}, expected exactly {PIP_SECTION}")
    pythons = [entry for entry in conda if re.fullmatch(r"python\s*=\s*[\d.]+", entry)]
    if len(pythons) != 1:
        problems.append(f"environment.yml must pin one python=X.Y, found {pythons}")
    else:
        minor = pythons[0].split("=")[1].strip()
        for patch in ("0", "99"):  # conda's python=3.13 is any 3.13.x
            if Version(f"{minor}.{patch}") not in python:
                problems.append(f"python={minor} is outside requires-python {python}")
    extra = [entry for entry in conda if entry not in pythons and entry != "pip"]
    if extra:
        problems.append(f"environment.yml installs {extra} outside requirements.txt")

    pins: dict[str, Version] = {}
    for line in requirements.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            problems.append(f"requirements.txt: {line!r} is not an exact pin")
            continue
        pins[canonicalize_name(requirement.name)] = Version(specifiers[0].version)
    wanted = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        wanted.extend(group)
    for text in wanted:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"pyproject needs {text} but requirements.txt does not pin it")
        elif pinned not in requirement.specifier:
            problems.append(f"requirements.txt pins {requirement.name}=={pinned}, outside {text}")
    return problems


def read(name: str) -> str:
    return (REPO_ROOT / name).read_text()


def test_conda_environment_installs_the_pinned_requirements() -> None:
    problems = environment_problems(
        read("environment.yml"), read("requirements.txt"), read("pyproject.toml")
    )
    assert problems == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda env, req: (env.replace("- pip\n", "- pip\n  - pandas=2.2\n"), req), "installs"),
        (
            lambda env, req: (env.replace("--editable .", "--editable .\n      - numpy==2.0"), req),
            "pip section",
        ),
        (lambda env, req: (env.replace("python=3.13", "python=3.10"), req), "outside"),
        (lambda env, req: (env, re.sub(r"(?m)^numpy==.*$", "numpy==1.26.4", req)), "numpy"),
        (lambda env, req: (env, re.sub(r"(?m)^pyarrow==.*$\n", "", req)), "pyarrow"),
    ],
    ids=["conda package", "inline pip pin", "python", "pin out of range", "pin missing"],
)
def test_a_drift_is_caught(change, problem: str) -> None:
    """The check above can fail: each kind of drift, planted in a copy, is reported."""
    environment, requirements = change(read("environment.yml"), read("requirements.txt"))
    problems = environment_problems(environment, requirements, read("pyproject.toml"))
    assert any(problem in text for text in problems), problems


def test_make_installs_the_same_list_and_both_paths_test_alike() -> None:
    makefile = read("Makefile")
    assert re.search(r"pip install [^\n]*-r requirements\.txt", makefile)
    assert re.search(rf"^test:.*\n(\t.*\n)*\t\$\(BIN\)/{re.escape(TEST_COMMAND)}$", makefile, re.M)
    readme = read("README.md")
    conda = readme[readme.index("## Conda") :]
    assert "conda env create -f environment.yml && conda activate salespipeline" in conda
    assert TEST_COMMAND in conda
    assert "make test" in readme
