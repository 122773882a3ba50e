"""Tests of helpers/whole_numbers.py and `python -m helpers read-number`.

The pieces of ink are counted against a flood fill written here another way (a queue of
neighbours, not scipy); the boxes are checked against where tools/make_photos.py rendered
each digit (data/own_digits/numbers/numbers.json); a digit alone must be read exactly as
read_digit reads it; the join and split rules are checked on numbers drawn here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import deque

import numpy as np
import pytest
from PIL import Image, ImageDraw

from helpers.data import DATA_DIR
from helpers.own_digits import read_digit
from helpers.saving import BEST_MODEL, DEFAULT_MODEL, load_network, load_reading_network
from helpers.whole_numbers import find_pieces, join_pieces, read_number

NUMBERS = DATA_DIR / "own_digits" / "numbers"
DRAWINGS = sorted((DATA_DIR / "own_digits").glob("*.png"))


@pytest.fixture(scope="module")
def network():
    return load_network(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def manifest():
    return json.loads((NUMBERS / "numbers.json").read_text())


def flood_fill_count(mask: np.ndarray) -> int:
    """How many groups of True pixels touch (also corner to corner), by filling each from a
    queue of its neighbours."""
    seen = np.zeros(mask.shape, dtype=bool)
    count = 0
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        count += 1
        queue = deque([start])
        seen[start] = True
        while queue:
            row, column = queue.popleft()
            for d_row in (-1, 0, 1):
                for d_column in (-1, 0, 1):
                    r, c = row + d_row, column + d_column
                    if 0 <= r < mask.shape[0] and 0 <= c < mask.shape[1] and mask[r, c] \
                            and not seen[r, c]:
                        seen[r, c] = True
                        queue.append((r, c))
    return count


@pytest.mark.parametrize("seed", range(5))
def test_the_pieces_are_those_a_flood_fill_finds(seed):
    rng = np.random.default_rng(seed)
    mask = rng.random((40, 60)) < rng.uniform(0.2, 0.5)
    labels, boxes = find_pieces(mask.astype(np.float32))
    # specks (smaller than 2 % of the largest piece) are left out, so compare on big pieces
    sizes = np.bincount(labels.ravel())[1:]
    assert len(boxes) == labels.max() == len(sizes)
    small = flood_fill_count(mask) - len(boxes)
    assert small >= 0
    kept = np.isin(labels, np.arange(1, len(boxes) + 1))
    assert flood_fill_count(kept) == len(boxes)
    assert flood_fill_count(mask & ~kept) == small


def test_a_number_drawn_here_is_cut_into_its_digits(network):
    image = Image.new("L", (520, 200), 255)
    pen = ImageDraw.Draw(image)
    # a 5 whose top bar does not touch its body, and a 4 drawn in two strokes
    pen.line([(60, 50), (50, 100)], fill=0, width=12)
    pen.arc((40, 80, 120, 160), 250, 160, fill=0, width=12)
    pen.line([(58, 40), (120, 40)], fill=0, width=12)
    pen.line([(210, 40), (180, 120), (250, 120)], fill=0, width=12)
    pen.line([(235, 70), (235, 165)], fill=0, width=12)
    # a 1 and a 7 far apart
    pen.line([(320, 40), (320, 160)], fill=0, width=12)
    pen.line([(400, 45), (470, 45), (420, 160)], fill=0, width=12)
    labels, boxes = find_pieces(1 - np.asarray(image, dtype=np.float32) / 255)
    assert len(boxes) == 6 and len(join_pieces(boxes)) == 4
    reading = read_number(network, np.asarray(image))
    assert [digit.digit for digit in reading.digits] == [5, 4, 1, 7]
    assert reading.number == "5417"
    lefts = [digit.box[0] for digit in reading.digits]
    assert lefts == sorted(lefts) and abs(lefts[2] - 314) <= 2


def test_a_piece_too_small_to_be_a_digit_joins_the_nearest_digit(network):
    image = Image.new("L", (400, 200), 255)
    pen = ImageDraw.Draw(image)
    pen.line([(80, 40), (80, 160)], fill=0, width=12)  # a 1
    pen.ellipse((162, 60, 176, 74), fill=0)  # a dot a tenth as high, nearer the 7
    pen.line([(200, 45), (280, 45), (225, 160)], fill=0, width=12)  # a 7
    labels, boxes = find_pieces(1 - np.asarray(image, dtype=np.float32) / 255)
    one, dot, seven = np.argsort([box[1].start for box in boxes])
    assert join_pieces(boxes) == [[one], sorted([dot, seven])]
    reading = read_number(network, np.asarray(image))
    assert reading.number == "17" and reading.digits[1].box[0] in range(160, 166)


def test_two_touching_digits_are_split(network):
    image = Image.new("L", (300, 160), 255)
    pen = ImageDraw.Draw(image)
    pen.ellipse((30, 20, 110, 140), outline=0, width=12)  # a 0
    pen.line([(106, 30), (180, 30), (130, 140)], fill=0, width=12)  # a 7 touching it
    reading = read_number(network, np.asarray(image))
    assert reading.number == "07"


def test_a_blank_image_has_no_number(network):
    reading = read_number(network, np.full((100, 300), 255, dtype=np.uint8))
    assert reading.number is None and reading.digits == []


def test_a_digit_alone_is_read_exactly_as_read_digit_reads_it(network):
    for path in DRAWINGS:
        alone, number = read_digit(network, path), read_number(network, path)
        assert len(number.digits) == 1 and number.number == str(alone.digit)
        assert number.digits[0].confidence == alone.confidence


def test_the_boxes_are_where_the_digits_were_rendered(network, manifest):
    checked = 0
    for entry in manifest:
        reading = read_number(network, NUMBERS / entry["file"])
        if len(reading.digits) != len(entry["boxes"]) or entry["spacing"] == "touching":
            continue  # cut otherwise: compared in the next test
        for digit, expected in zip(reading.digits, entry["boxes"]):
            height = expected[3] - expected[1]
            assert np.abs(np.subtract(digit.box, expected)).max() <= 0.1 * height, (
                entry["file"], digit.box, expected)
        checked += 1
    assert checked >= 0.75 * len(manifest)


@pytest.mark.parametrize("model", [DEFAULT_MODEL, BEST_MODEL], ids=lambda path: path.stem)
def test_most_sample_numbers_are_read_exactly_right(model, manifest):
    network = load_network(model)
    right = [read_number(network, NUMBERS / entry["file"]).number == entry["number"]
             for entry in manifest]
    assert len(manifest) == 40
    assert {len(entry["number"]) for entry in manifest} == set(range(2, 9))
    # the course promises 90 % with the network that reads your digits (the CNN, 36 of 40);
    # notebook 03's reads 34 of 40. data/README.md says which they miss and why
    promised = 0.9 if model == BEST_MODEL else 0.85
    assert np.mean(right) >= promised, [e["file"] for e, ok in zip(manifest, right) if not ok]


# -- the command line --------------------------------------------------------------------------

def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers", "read-number", *args],
                          capture_output=True, text=True, timeout=120)


def test_read_number_gives_one_json_object_per_image_in_order(tmp_path, manifest):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    good = [str(NUMBERS / entry["file"]) for entry in manifest[:2]]
    done = run("--json", good[0], str(bad), good[1])
    assert done.returncode == 1 and "1 of 3 files could not be read" in done.stderr
    answers = json.loads(done.stdout)
    assert [answer["file"] for answer in answers] == [good[0], str(bad), good[1]]
    assert answers[1]["number"] is None and answers[1]["digits"] == [] and answers[1]["error"]
    first = answers[0]
    assert set(first) == {"file", "number", "digits"}
    assert first["number"] == "".join(str(digit["digit"]) for digit in first["digits"])
    for digit in first["digits"]:
        assert set(digit) == {"digit", "confidence", "box"} and len(digit["box"]) == 4
        assert 0 <= digit["confidence"] <= 1


def test_read_number_reads_with_the_network_that_predict_and_the_pad_use():
    """One choice of network (helpers.saving.load_reading_network) for predict, the pad and
    read-number: a digit alone gets the same confidence from predict and read-number, the
    reading network's, which notebook 03's network would not give."""
    path = str(DRAWINGS[5])
    number = json.loads(run("--json", path).stdout)[0]["digits"][0]
    done = subprocess.run([sys.executable, "-m", "helpers", "predict", "--json", path],
                          capture_output=True, text=True, timeout=120)
    predicted = json.loads(done.stdout)[0]
    assert number["digit"] == predicted["digit"]
    assert number["confidence"] == pytest.approx(predicted["confidence"], abs=1e-12)
    reading = read_digit(load_reading_network(), path)
    assert number["confidence"] == pytest.approx(reading.confidence, abs=5e-5)  # JSON: 4 decimals
    other = read_digit(load_network(DEFAULT_MODEL), path)
    assert abs(other.confidence - reading.confidence) > 1e-2


def test_read_number_plain_output_and_exit_code(tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 100), 255).save(blank)
    done = run(str(DRAWINGS[0]), str(blank))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{DRAWINGS[0]}: {DRAWINGS[0].name[0]} (")
    assert lines[1] == f"{blank}: no digits (write a number first)"
    assert run(str(tmp_path / "missing.png")).returncode == 1
