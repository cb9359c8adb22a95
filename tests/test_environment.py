"""The pins live in one place; every other description of the environment agrees."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def requirement_lines(path: Path) -> list[Requirement]:
    lines = [l.split("#", 1)[0].strip() for l in path.read_text().splitlines()]
    return [Requirement(l) for l in lines if l]


def locked() -> dict[str, str]:
    pins = {}
    for req in requirement_lines(ROOT / "requirements.txt"):
        [spec] = list(req.specifier)
        assert spec.operator == "==", f"{req} trong requirements.txt phải được ghim bằng =="
        pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_every_top_level_requirement_is_locked_within_its_range():
    pins = locked()
    for req in requirement_lines(ROOT / "requirements.in"):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} có trong requirements.in nhưng chưa được khóa: chạy make lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{req.name}=={pins[name]} trong requirements.txt không thỏa {req.specifier} của requirements.in")


def test_the_versions_the_course_promises():
    pins = locked()
    assert pins["numpy"] == "1.23.5"
    assert pins["mxnet"] == "1.9.1"
    assert pins["torch"] == "2.13.0"
    assert pins["tensorflow-cpu"].startswith("2.17.")
    assert pins["jupyter-book"] == "1.0.4.post1"
    assert pins["nbgrader"] == "0.9.6"
    assert pins["jupyterlab"].startswith("4.6.")


def test_conda_environment_installs_the_same_lock_with_the_same_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and d.startswith("python")]
    makefile = (ROOT / "Makefile").read_text()
    make_python = re.search(r"^PYTHON \?= python(\d+\.\d+)$", makefile, re.M).group(1)
    assert pythons == [f"python={make_python}"]
    [pip_section] = [d["pip"] for d in deps if isinstance(d, dict)]
    # the conda environment takes its packages from the lock, never its own list
    assert pip_section == ["-r requirements.txt"]
    assert "requirements.txt" in makefile
