"""Tests of reading photos of digits written on paper (helpers/own_digits.py).

A photo's paper is not one colour: the light is uneven, a shadow darkens one side, a phone
held sideways stores its pixels sideways. The checks here use pictures whose truth is
known because they are built in the test: a page lit from one side with a hard shadow, a
ruled page, black ink on dim grey paper, chalk on a board, a photo stored sideways with its
EXIF tag. Otsu's threshold is checked against a brute-force search written here. The
sample photos of data/own_digits/photos/ must be read as the course promises (95 %), and
the screen drawings of data/own_digits/ exactly as well as before photos were handled.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from helpers.data import DATA_DIR
from helpers.own_digits import (
    EXIF_ORIENTATION,
    NoDigitError,
    load_image,
    otsu_threshold,
    paper_light,
    prepare,
    read_digit,
)
from helpers.saving import DEFAULT_MODEL, MODELS_DIR, load_network

PHOTOS = DATA_DIR / "own_digits" / "photos"
DRAWINGS = sorted((DATA_DIR / "own_digits").glob("*.png"))


@pytest.fixture(scope="module")
def network():
    return load_network(DEFAULT_MODEL)


def seven_ink(size=(400, 300), pen=12) -> np.ndarray:
    """A 7 (ink 1, paper 0) in the middle of a page of ``size`` (width, height)."""
    image = Image.new("L", size, 0)
    width, height = size
    ImageDraw.Draw(image).line(
        [(width * 0.38, height * 0.25), (width * 0.62, height * 0.24), (width * 0.47, height * 0.78)],
        fill=255, width=pen, joint="curve")
    return np.asarray(image, dtype=np.float32) / 255


def photo_of(ink: np.ndarray, paper: float, pen: float, light: np.ndarray) -> np.ndarray:
    """A grey photo: ``ink`` written in ``pen`` on ``paper``, lit by ``light`` (0..1 each)."""
    return np.clip((paper * (1 - ink) + pen * ink) * light, 0, 1)


# -- the sample photos ------------------------------------------------------------------------

def test_the_sample_photos_are_read_as_promised(network):
    manifest = json.loads((PHOTOS / "photos.json").read_text())
    assert len(manifest) == 40 and {entry["digit"] for entry in manifest} == set(range(10))
    assert sum(entry["sideways"] for entry in manifest) == 10  # a quarter stored sideways
    right = [read_digit(network, PHOTOS / entry["file"]).digit == entry["digit"]
             for entry in manifest]
    assert np.mean(right) >= 0.95, [e["file"] for e, ok in zip(manifest, right) if not ok]


def test_the_ink_of_a_sample_photo_lies_on_the_digit_only():
    """Shadows, ruled lines, the paper's grain and JPEG blocks are not ink: almost all the
    ink found lies in the box where the digit was rendered (known from the maker)."""
    manifest = json.loads((PHOTOS / "photos.json").read_text())
    for entry in manifest:
        ink = load_image(PHOTOS / entry["file"])
        left, top, right, bottom = entry["box"]
        inside = np.zeros(ink.shape, dtype=bool)
        inside[max(0, top - 3):bottom + 4, max(0, left - 3):right + 4] = True
        assert ink[~inside].sum() <= 0.01 * ink.sum(), entry
        assert ink[inside].max() == 1


@pytest.mark.parametrize("path", [path for path in sorted(MODELS_DIR.glob("*.npz"))],
                         ids=lambda path: path.name)
def test_screen_drawings_are_all_still_read_right(path):
    network = load_network(path)
    wrong = [drawing.name for drawing in DRAWINGS
             if read_digit(network, drawing).digit != int(drawing.name[0])]
    assert len(DRAWINGS) == 40 and wrong == []


# -- upright --------------------------------------------------------------------------------

@pytest.mark.parametrize("tag, turn", [(6, Image.Transpose.ROTATE_90),
                                       (8, Image.Transpose.ROTATE_270),
                                       (3, Image.Transpose.ROTATE_180)])
def test_a_photo_stored_sideways_is_read_upright(tmp_path, network, tag, turn):
    upright = Image.fromarray(np.round(255 * (1 - seven_ink())).astype(np.uint8))
    stored = upright.transpose(turn)  # what the phone stored; the tag says how to undo it
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = tag
    stored.save(tmp_path / "sideways.jpg", quality=95, exif=exif.tobytes())
    stored.save(tmp_path / "no_tag.jpg", quality=95)
    ink = load_image(tmp_path / "sideways.jpg")
    assert ink.shape == (upright.height, upright.width)
    expected = load_image(np.asarray(upright))
    assert np.abs(ink - expected).mean() < 0.01
    assert read_digit(network, tmp_path / "sideways.jpg").digit == 7
    assert load_image(tmp_path / "no_tag.jpg").shape == (stored.height, stored.width)


# -- the paper's light -----------------------------------------------------------------------

def test_a_hard_shadow_is_not_ink_although_a_fixed_threshold_takes_it_for_ink(network):
    ink = seven_ink()
    light = np.ones(ink.shape)
    light[:, :90] = 0.35  # the left side of the page in a phone's shadow
    photo = photo_of(ink, paper=0.92, pen=0.1, light=light)
    # a fixed threshold at the middle grey calls the whole shadow ink
    assert (photo < 0.5)[:, :90].mean() > 0.99
    found = load_image(photo)
    assert found[:, :90].max() == 0  # no ink at all in the shadow (the 7 lies right of it)
    assert np.corrcoef(found.ravel(), ink.ravel())[0, 1] > 0.9
    assert read_digit(network, photo).digit == 7


def test_the_paper_light_follows_a_gradient_and_ignores_the_ink():
    ink = seven_ink()
    light = np.linspace(0.4, 1.0, ink.shape[1])[None, :] * np.ones((ink.shape[0], 1))
    photo = photo_of(ink, paper=0.9, pen=0.05, light=light).astype(np.float32)
    estimate = paper_light(photo, dark_ink=True)
    assert estimate.shape == photo.shape
    assert np.abs(estimate - 0.9 * light)[ink > 0].max() < 0.06  # under the strokes too


@pytest.mark.parametrize("paper, pen", [(0.35, 0.03), (0.15, 0.85), (0.95, 0.2)],
                         ids=["black ink on dim grey paper", "chalk on a board",
                              "grey pencil on white"])
def test_ink_is_found_whatever_the_paper(network, paper, pen):
    ink = seven_ink()
    noise = np.random.default_rng(0).normal(0, 0.01, ink.shape)
    found = load_image(photo_of(ink, paper, pen, np.ones(ink.shape)) + noise)
    assert np.corrcoef(found.ravel(), ink.ravel())[0, 1] > 0.9
    assert read_digit(network, found).digit == 7


def test_ruled_lines_and_grain_are_not_ink():
    ink = seven_ink()
    rng = np.random.default_rng(1)
    paper = 0.93 + rng.normal(0, 0.015, ink.shape)
    for row in range(20, ink.shape[0], 28):
        paper[row:row + 2] = 0.75  # a ruled line, pale beside the pen
    photo = np.clip(paper * (1 - ink) + 0.1 * ink, 0, 1)
    found = load_image(photo)
    off_the_digit = np.ones(ink.shape, dtype=bool)
    off_the_digit[50:250, 90:270] = False
    assert found[off_the_digit].max() == 0


def test_blank_paper_under_uneven_light_is_blank():
    light = np.linspace(0.3, 1.0, 400)[None, :] * np.ones((300, 1))
    photo = 0.9 * light + np.random.default_rng(2).normal(0, 0.01, light.shape)
    with pytest.raises(NoDigitError):
        prepare(photo)


# -- Otsu's threshold -------------------------------------------------------------------------

def brute_force_otsu(values: np.ndarray, levels: np.ndarray) -> float:
    """The level that splits ``values`` into the two groups with the smallest sum of squared
    distances from their own means (Otsu's criterion, by trying every level)."""
    def spread(level):
        low, high = values[values <= level], values[values > level]
        return sum(((group - group.mean()) ** 2).sum() for group in (low, high) if group.size)
    return float(min(levels, key=spread))


@pytest.mark.parametrize("seed", range(4))
def test_otsu_threshold_agrees_with_a_brute_force_search(seed):
    rng = np.random.default_rng(seed)
    share = rng.uniform(0.02, 0.5)
    values = np.clip(np.concatenate([rng.normal(rng.uniform(0.05, 0.3), 0.05, 5000),
                                     rng.normal(rng.uniform(0.5, 0.9), 0.08,
                                                int(5000 * share))]), 0, 0.999)
    quantised = (np.floor(values * 256) + 0.5) / 256  # the threshold works on 256 levels
    expected = brute_force_otsu(quantised, (np.arange(256) + 0.5) / 256)
    assert otsu_threshold(values) == pytest.approx(expected + 0.5 / 256, abs=1e-9)
