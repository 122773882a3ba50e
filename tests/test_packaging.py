"""pyproject.toml declares what helpers/ imports, and `pip install .` alone gives a working course.

requirements.txt is the one list that learners, CI and Binder install from; pyproject.toml
declares the packages that helpers/ itself imports, so that `pip install .` (without the
requirements file) works too. These tests keep the two lists and the imports in step.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Import names whose package on PyPI is called otherwise.
DISTRIBUTION_OF = {"PIL": "pillow"}


def imported_packages() -> dict[str, list[str]]:
    """The packages outside the standard library that helpers/*.py import, with the files
    that import each (imports inside functions count too)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "helpers").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ("helpers", "__future__"):
                    found.setdefault(DISTRIBUTION_OF.get(top, top).lower(), []).append(path.name)
    return found


def requirement_bounds(lines: list[str]) -> dict[str, str]:
    """{name: bounds} of requirement lines such as "numpy>=2.4.6" (bounds "2.4.6") or
    "ipycanvas>=0.14.3,<0.15" (bounds "0.14.3,<0.15")."""
    bounds = {}
    for line in lines:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([\w.]+(?:\s*,\s*<\s*[\w.]+)?)\s*",
                             line.split("#")[0])
        if match:
            bounds[match.group(1).lower()] = match.group(2)
    return bounds


def pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and newer
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_pyproject_declares_exactly_what_helpers_imports():
    declared = requirement_bounds(pyproject()["project"]["dependencies"])
    imported = imported_packages()
    assert "threadpoolctl" in imported and "numpy" in imported  # the scan finds imports
    missing = {name: files for name, files in imported.items() if name not in declared}
    assert not missing, f"imported by helpers/ but not in pyproject's dependencies: {missing}"
    unused = sorted(set(declared) - set(imported))
    assert not unused, f"in pyproject's dependencies but not imported by helpers/: {unused}"


def test_requirements_has_every_dependency_with_the_same_tested_version():
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.strip() and not line.startswith("#")][0] == "-e ."
    listed = requirement_bounds(lines)
    project = pyproject()["project"]
    dependencies = requirement_bounds(project["dependencies"])
    extras = {}  # extras that learners do not need (a PyTorch cross-check, say) may be left out
    for extra in project["optional-dependencies"].values():
        extras.update(requirement_bounds(extra))
    missing = sorted(set(dependencies) - set(listed))
    assert not missing, f"in pyproject's dependencies but not in requirements.txt: {missing}"
    declared = {**extras, **dependencies}
    differ = {name: (declared.get(name), bound) for name, bound in listed.items()
              if declared.get(name) != bound}
    assert not differ, ("requirements.txt names these without the same version in "
                        f"pyproject.toml (pyproject, requirements): {differ}")


def test_pip_install_without_requirements_gives_a_working_predict(tmp_path):
    # a copy of what a published package holds, so that building leaves nothing in the clone
    source = tmp_path / "digits-by-hand"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("helpers", "models"):
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    venv = tmp_path / "venv"
    env = {name: value for name, value in os.environ.items()
           if name not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-input",
                              "--disable-pip-version-check", str(source)],
                             capture_output=True, text=True, env=env, timeout=1200)
    assert install.returncode == 0, install.stdout + install.stderr

    drawing = ROOT / "data" / "own_digits" / "3_a.png"
    result = subprocess.run([str(python), "-m", "helpers", "predict", "--json", str(drawing)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["digit"] == 3
    where = subprocess.run([str(python), "-c", "import helpers; print(helpers.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout  # not the clone's


def test_dependencies_have_lower_bounds_only_so_pip_never_downgrades():
    # Colab's setup cell installs the course over what Colab ships: with lower bounds, pip
    # keeps every package that is new enough and never installs an older one; the only
    # exception is an upper cap where the course needs one (such as ipycanvas: the pad relies
    # on a private attribute of 0.14), never a pinned version
    for requirement in pyproject()["project"]["dependencies"]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+>=[\w.]+(,<[\w.]+)?", requirement), requirement
