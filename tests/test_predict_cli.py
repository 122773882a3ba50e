"""Tests of ``python -m helpers predict``, run as a learner runs it: in a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.data import DATA_DIR
from helpers.saving import (BEST_MODEL, DEFAULT_MODEL, load_network, load_reading_network,
                            save_network)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((DATA_DIR / "own_digits").glob("*.png"))
GOOD = [SAMPLES[0], SAMPLES[len(SAMPLES) // 2], SAMPLES[-1]]  # a 0, a 5 and a 9


def predict(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers", "predict", *map(str, arguments)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("images") / "blank.png"
    Image.new("RGBA", (280, 280)).save(path)  # an empty web canvas
    return path


def test_plain_output_names_each_image_its_digit_and_confidence():
    result = predict(*GOOD)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(GOOD)
    for line, path in zip(lines, GOOD):
        assert re.fullmatch(rf"{re.escape(str(path))}: {path.name[0]} \(confidence [01]\.\d\d\)",
                            line), line


def test_json_gives_one_object_per_image_in_order(blank):
    files = [GOOD[2], blank, GOOD[0]]
    result = predict("--json", *files)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert [answer["file"] for answer in answers] == [str(file) for file in files]
    assert [answer["digit"] for answer in answers] == [9, None, 0]
    for answer in answers:
        assert set(answer) == {"file", "digit", "confidence", "unsure", "message"}
        assert 0 <= answer["confidence"] <= 1
    assert answers[1]["confidence"] == 0
    assert answers[1]["unsure"] is True and answers[1]["message"] == "Draw a digit first"
    assert answers[0]["unsure"] is False and answers[0]["message"] == "It's a 9"


def test_a_blank_image_has_no_digit(blank):
    result = predict(blank)
    assert result.returncode == 0
    assert result.stdout.strip() == f"{blank}: no digit (Draw a digit first)"


def test_bad_files_do_not_stop_the_others_and_the_exit_code_says_so(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    missing = tmp_path / "missing.png"
    files = [GOOD[0], missing, text, GOOD[1]]

    plain = predict(*files)
    assert plain.returncode != 0
    printed = [line.split(":")[0] for line in plain.stdout.splitlines()]
    assert printed == [str(GOOD[0]), str(GOOD[1])]
    assert f"{missing}: error: no image file at {missing}" in plain.stderr
    assert f"{text}: error: {text} is not an image" in plain.stderr
    assert "2 of 4 files could not be read" in plain.stderr

    as_json = predict("--json", *files)
    assert as_json.returncode != 0
    answers = json.loads(as_json.stdout)
    assert [answer["file"] for answer in answers] == [str(file) for file in files]
    assert [answer["digit"] for answer in answers] == [0, None, None, 5]
    assert ["error" in answer for answer in answers] == [False, True, True, False]
    assert "no image file" in answers[1]["error"] and "not an image" in answers[2]["error"]


def test_model_picks_the_network(tmp_path):
    network = load_network(DEFAULT_MODEL)
    network.b_output[:] = [-50] * 3 + [50] + [-50] * 6  # a network that always says 3
    path = save_network(network, tmp_path / "always_three.npz", name="always 3")
    answers = json.loads(predict("--json", "--model", path, *GOOD).stdout)
    assert [answer["digit"] for answer in answers] == [3, 3, 3]
    shipped = json.loads(predict("--json", *GOOD).stdout)
    assert [answer["digit"] for answer in shipped] == [0, 5, 9]


def test_a_model_that_cannot_be_loaded_is_an_error(tmp_path):
    result = predict("--model", tmp_path / "none.npz", GOOD[0])
    assert result.returncode != 0 and result.stdout == ""
    assert "no network file at" in result.stderr


def test_the_cli_reads_with_the_network_that_the_pad_uses_by_default():
    """One choice of network, in one function: the command line and the pad share it."""
    from helpers.drawing_pad import DrawingPad

    chosen, pad = load_reading_network(), DrawingPad()
    assert chosen.config() == load_network(BEST_MODEL).config() == pad.network.config()
    for name, value in chosen.parameters().items():
        assert np.array_equal(pad.network.parameters()[name], value)
    given = load_reading_network(DEFAULT_MODEL)  # a path given wins
    assert np.array_equal(given.w_input_hidden, load_network(DEFAULT_MODEL).w_input_hidden)


def test_the_cli_agrees_with_read_digit():
    from helpers.own_digits import read_digit

    network = load_reading_network()
    answers = json.loads(predict("--json", *SAMPLES[::4]).stdout)
    for answer, path in zip(answers, SAMPLES[::4]):
        reading = read_digit(network, path)
        assert answer["digit"] == reading.digit
        assert answer["confidence"] == pytest.approx(reading.confidence, abs=1e-4)
    assert np.mean([a["digit"] == int(p.name[0]) for a, p in zip(answers, SAMPLES[::4])]) >= 0.9
