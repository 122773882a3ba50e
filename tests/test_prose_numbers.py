"""Every number that the prose of a notebook quotes is one that the notebook shows.

A number in a notebook's Markdown (outside LaTeX, inline code and link targets) must appear
in that notebook's outputs, or in its code (a setting the learner can see, such as a
learning rate of 0.002), or in :data:`CONSTANTS` below. Whole numbers below 32 are exempt:
they count things ("3 epochs", "5 x 5 kernels", "the 7"), and a result is rarely one of
them. A quoted number matches a shown one if it is that number rounded to the decimals the
prose gives, directly or as a percentage of a fraction ("98.7 %" matches 0.9870).

README.md gets the same check against the outputs of every notebook and the printed
output README itself quotes (its ```text blocks).

When this test fails, change the prose to say what the output says (timings: "about", and
the number the output printed), or show the number in an output.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Numbers that prose may quote without an output showing them, and why.
CONSTANTS = {
    28: "an MNIST image is 28 x 28 pixels",
    784: "28 x 28 pixels, the network's inputs",
    255: "the largest pixel value",
    256: "the number of pixel values",
    60_000: "MNIST's training images",
    10_000: "MNIST's test images (and the validation images held out of training)",
    70_000: "MNIST's images in all",
    50_000: "training images left after holding out 10,000 for validation",
    64: "the hexadecimal digits of a SHA-256 checksum (notebook 00)",
    158_800: "the weights of the 784-200-10 network: 784 x 200 + 200 x 10 (notebook 02)",
    210: "the biases of the 784-200-10 network: 200 + 10 (notebook 02)",
    318_020: "two loss evaluations for each of the 784-200-10 network's 159,010 parameters, "
             "as a central difference needs (notebook 02)",
    23_860: "the parameters of a 784-30-10 network: 784 x 30 + 30 + 30 x 10 + 10 (notebook 02)",
    0.01: "the input of paper, and the target of a wrong digit",
    0.99: "the target of the right digit",
    1.0: "the input of full ink",
    1998: "the year of LeCun et al.'s LeNet paper",
    2016: "the year of Tariq Rashid's Make Your Own Neural Network",
    30_000: "the longest side of an image the course opens (helpers, README's limits)",
    20_000_000: "the most parameters of a network file the course loads (README's limits)",
    0.9747: "an outside figure, with its source: the 784-200-10 network of Tariq Rashid's Make "
            "Your Own Neural Network after 5 epochs (notebook 03)",
    99.06: "an outside figure, with its source: Michael Nielsen's Neural Networks and Deep "
           "Learning, chapter 6 (notebook 08)",
}

#: Notebooks whose prose still quotes numbers that they do not show, each with what is left.
#: The test of each is expected to fail (strictly: once it passes, take it off this list).
PENDING: dict[str, str] = {}

NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s?%)?(?![\w])")


def prose_of(markdown: str) -> str:
    """The text of Markdown without what is not prose: code, LaTeX, links' targets, HTML."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)  # code blocks
    text = re.sub(r"`[^`]*`", " ", text)  # inline code
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)  # display maths
    text = re.sub(r"\$[^$]*\$", " ", text)  # inline maths
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"<[^>]+>", " ", text)  # HTML tags and comments
    text = re.sub(r"^#+ \d\d · ", "# ", text, flags=re.M)  # "# 03 · Title"
    return text


def quoted_numbers(markdown: str) -> list[tuple[str, float, int, bool]]:
    """(as written, value, decimals, is a percentage) of every number in the prose."""
    found = []
    for match in NUMBER.finditer(prose_of(markdown)):
        written = match.group(1)
        value = float(written.replace(",", ""))
        decimals = len(written.split(".")[1]) if "." in written else 0
        found.append((match.group(0).strip(), value, decimals, bool(match.group(2))))
    return found


def shown_numbers(text: str) -> set[float]:
    return {float(number.replace(",", "")) for number in
            re.findall(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:e-?\d+)?", text)}


def matches(value: float, decimals: int, percent: bool, shown: set[float]) -> bool:
    """Whether a quoted number is one of ``shown``, rounded as the prose rounds it."""
    for number in shown:
        candidates = [number, 100 * number] if number <= 1 else [number]
        if percent or decimals:
            candidates.append(100 * number)
        if any(round(candidate, decimals) == value for candidate in candidates):
            return True
    return False


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            for kind in ("text/plain", "text/html", "text/markdown"):
                parts.append(output.get("data", {}).get(kind, ""))
    return "\n".join(parts)


def unshown(markdown: str, shown: set[float]) -> list[str]:
    """The numbers quoted in ``markdown`` that are not in ``shown`` nor in CONSTANTS."""
    missing = []
    for written, value, decimals, percent in quoted_numbers(markdown):
        if decimals == 0 and not percent and value < 32:
            continue
        if value in CONSTANTS or matches(value, decimals, percent, shown):
            continue
        missing.append(written)
    return missing


@pytest.mark.parametrize("path", [
    pytest.param(path, marks=pytest.mark.xfail(reason=PENDING[path.name], strict=True))
    if path.name in PENDING else path for path in NOTEBOOKS], ids=lambda path: path.name)
def test_numbers_in_a_notebooks_prose_are_shown_by_the_notebook(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    shown = shown_numbers(outputs_text(nb)) | shown_numbers(re.sub(r"(?<=\d)_(?=\d)", "", code))
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            missing = unshown(cell.source, shown)
            if missing:
                first_line = cell.source.strip().split("\n")[0][:60]
                problems.append(f"cell {index} ({first_line!r}...): {', '.join(missing)}")
    assert not problems, (f"{path.name} quotes numbers that none of its outputs or code "
                          "shows:\n" + "\n".join(problems))


def test_numbers_in_readme_are_printed_somewhere():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    printed = "\n".join(re.findall(r"```text\n(.*?)```", readme, flags=re.S))
    notebooks = [nbformat.read(path, as_version=4) for path in NOTEBOOKS]
    shown = shown_numbers(printed)
    for nb in notebooks:
        shown |= shown_numbers(outputs_text(nb))
    missing = unshown(readme, shown)
    assert not missing, ("README.md quotes numbers that no notebook output and none of its "
                         f"quoted printouts show: {missing}")


# -- the check catches what it should ---------------------------------------------------------

def test_a_number_is_found_rounded_or_as_a_percentage():
    shown = shown_numbers("test accuracy 0.9870 after 108 s; 3.7 s; loss 0.0320")
    assert unshown("It reads 98.7 % (98.70%) in about 108 s, 3.7 s a pass.", shown) == []
    assert unshown("A loss of 0.032 falls.", shown) == []
    assert unshown("It reads 98.8 % in 110 s.", shown) == ["98.8 %", "110"]


def test_what_is_not_prose_and_small_counts_are_left_alone():
    text = ("3 epochs of 5 x 5 kernels; `Dense(784, 257)`; $\\eta = 0.037$; "
            "[link](https://example.com/1234) and 60,000 images")
    assert unshown(text, set()) == []
    assert unshown("the 97.87 % of a tutorial", set()) == ["97.87 %"]
