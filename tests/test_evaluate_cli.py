"""Tests of ``python -m helpers evaluate``: it prints each shipped network's name, file and
test accuracy, the same as computed here, and the same as README.md says."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.data import load_mnist
from helpers.saving import DEFAULT_MODEL, MODELS_DIR, load_network
from helpers.training import accuracy

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_FILE = DEFAULT_MODEL.relative_to(ROOT).as_posix()  # models/mnist_784_200_10.npz


def run(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``python -m helpers ARGUMENTS``, as a learner would type it."""
    return subprocess.run([sys.executable, "-B", "-m", "helpers", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def shipped_accuracy() -> float:
    """The shipped network's test accuracy, computed here, in this process."""
    inputs, labels = load_mnist("test")
    return accuracy(load_network(DEFAULT_MODEL), inputs, labels)


@pytest.fixture(scope="module")
def table() -> subprocess.CompletedProcess:
    return run("evaluate")


@pytest.fixture(scope="module")
def listing() -> list[dict]:
    result = run("evaluate", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_evaluate_prints_name_file_and_accuracy_of_every_shipped_network(table, shipped_accuracy):
    assert table.returncode == 0, table.stderr
    lines = table.stdout.strip().splitlines()
    assert lines[0].split() == ["name", "file", "test", "accuracy"]
    shipped = sorted(MODELS_DIR.glob("*.npz"))
    assert len(lines) == 1 + len(shipped)
    row = next(line for line in lines if SHIPPED_FILE in line)
    assert row.startswith(load_network(DEFAULT_MODEL).name)
    assert row.split()[-1] == f"{shipped_accuracy:.4f}"


def test_evaluate_json_is_a_list_of_name_file_and_test_accuracy(listing, shipped_accuracy):
    assert isinstance(listing, list) and len(listing) == len(sorted(MODELS_DIR.glob("*.npz")))
    for entry in listing:
        assert set(entry) == {"name", "file", "test_accuracy"}
        assert (ROOT / entry["file"]).is_file()  # relative to the top folder of the course
    shipped = next(entry for entry in listing if entry["file"] == SHIPPED_FILE)
    assert shipped["name"] == "784-200-10 sigmoid network (notebook 03)"
    assert shipped["test_accuracy"] == shipped_accuracy  # the same number, to the last digit


def test_evaluate_shows_the_same_from_another_folder(tmp_path, listing):
    result = run("evaluate", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == listing


def test_evaluate_one_model_given_by_path(shipped_accuracy, tmp_path):
    result = run("evaluate", "--json", "--model", str(DEFAULT_MODEL))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"name": "784-200-10 sigmoid network (notebook 03)",
                                          "file": SHIPPED_FILE, "test_accuracy": shipped_accuracy}]
    relative = run("evaluate", "--model", SHIPPED_FILE)  # a path relative to where it runs
    assert relative.returncode == 0 and SHIPPED_FILE in relative.stdout
    outside = tmp_path / "copy.npz"  # a file outside the course shows its full path
    shutil.copyfile(DEFAULT_MODEL, outside)
    copied = run("evaluate", "--json", "--model", str(outside))
    assert json.loads(copied.stdout)[0]["file"] == str(outside.resolve())


@pytest.mark.parametrize("content, message", [(None, "no network file"),
                                              (b"not a network", "not a .npz file")])
def test_evaluate_a_bad_model_says_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "bad.npz"
    if content is not None:
        path.write_bytes(content)
    result = run("evaluate", "--model", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error:") and message in result.stderr
    assert "Traceback" not in result.stderr


def readme_accuracy(readme: str, file: str) -> str | None:
    """The accuracy in the README's table row of ``file``: ``| name | file | 0.9787 |``."""
    for line in readme.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and file in cells:
            numbers = [cell for cell in cells if re.fullmatch(r"0\.\d{4}", cell)]
            if numbers:
                return numbers[-1]
    return None


def test_readme_accuracy_parser():
    row = "| 784-200-10 sigmoid network (notebook 03) | `models/mnist_784_200_10.npz` | 0.9787 |"
    assert readme_accuracy(f"text\n{row}\nmore", "models/mnist_784_200_10.npz") == "0.9787"
    assert readme_accuracy(row, "models/other.npz") is None
    assert readme_accuracy("models/mnist_784_200_10.npz reads 0.9787 of the digits",
                           "models/mnist_784_200_10.npz") is None


def test_readme_states_the_accuracy_that_evaluate_prints_for_every_network(listing):
    """README's table has one row per shipped network, each with the accuracy evaluate prints."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(listing) >= 3
    for entry in listing:
        stated = readme_accuracy(readme, entry["file"])
        printed = f"{entry['test_accuracy']:.4f}"
        assert stated is not None, (f"README.md has no table row with {entry['file']} and its "
                                    f"test accuracy (4 decimals), such as "
                                    f"'| {entry['name']} | `{entry['file']}` | {printed} |'")
        assert stated == printed, f"README says {stated} for {entry['file']}, evaluate {printed}"
    rows = [line for line in readme.splitlines()
            if line.lstrip().startswith("|") and "`models/" in line]
    assert len(rows) == len(listing), "README's table lists a network that does not ship"
