"""Tests of helpers/evaluation.py and helpers/plots.py.

The hand-written confusion matrix is checked against counts made two other ways (a plain
Python loop with collections.Counter, and pandas.crosstab), on random labels and on the
shipped network's answers; the scores against a small example worked out by hand.
"""

from __future__ import annotations

from collections import Counter

import matplotlib

matplotlib.use("Agg")  # draw without a screen, and write no files

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from helpers.data import load_mnist  # noqa: E402
from helpers.evaluation import (  # noqa: E402
    confidence,
    confusion_matrix,
    most_confused_pairs,
    per_digit_scores,
)
from helpers.plots import _mosaic, confusion_heatmap, digit_gallery  # noqa: E402
from helpers.saving import DEFAULT_MODEL, load_network  # noqa: E402

TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
SHIPPED_RIGHT = 9787  # the shipped network reads 9,787 of the 10,000 test images right


def counted_with_counter(true_labels, predicted_labels, classes: int = 10) -> np.ndarray:
    """The confusion matrix counted another way: a Python loop and a Counter of pairs."""
    pairs = Counter(zip(map(int, true_labels), map(int, predicted_labels)))
    return np.array([[pairs[(t, p)] for p in range(classes)] for t in range(classes)])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shipped() -> dict[str, np.ndarray]:
    """The test images, their labels, and the shipped network's outputs and answers."""
    inputs, labels = load_mnist("test")
    outputs = load_network(DEFAULT_MODEL).query(inputs)
    return {"inputs": inputs, "labels": labels, "outputs": outputs,
            "predictions": outputs.argmax(axis=1)}


@pytest.fixture(scope="module")
def shipped_matrix(shipped) -> np.ndarray:
    return confusion_matrix(shipped["labels"], shipped["predictions"])


# -- confusion_matrix -------------------------------------------------------------------

@pytest.mark.parametrize("size, classes, seed", [(1, 10, 0), (57, 10, 1), (5_000, 10, 2),
                                                  (300, 3, 3), (40, 1, 4)])
def test_confusion_matrix_matches_a_counter_on_random_labels(size, classes, seed):
    rng = np.random.default_rng(seed)
    true_labels = rng.integers(0, classes, size)
    predicted_labels = rng.integers(0, classes, size)

    matrix = confusion_matrix(true_labels, predicted_labels, classes=classes)

    assert matrix.shape == (classes, classes)
    np.testing.assert_array_equal(matrix, counted_with_counter(true_labels, predicted_labels, classes))
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(true_labels, minlength=classes))
    np.testing.assert_array_equal(matrix.sum(axis=0), np.bincount(predicted_labels, minlength=classes))
    assert np.trace(matrix) == np.sum(true_labels == predicted_labels)


def test_confusion_matrix_counts_a_repeated_pair_every_time():
    # the trap np.add.at avoids: matrix[t, p] += 1 would count (2, 1) once, not three times
    matrix = confusion_matrix([2, 2, 2, 0], [1, 1, 1, 0], classes=3)
    np.testing.assert_array_equal(matrix, [[1, 0, 0], [0, 0, 0], [0, 3, 0]])


def test_confusion_matrix_accepts_lists_and_whole_floats():
    np.testing.assert_array_equal(confusion_matrix([0, 1, 1], [0.0, 1.0, 0.0], classes=2),
                                  [[1, 0], [1, 1]])


def test_confusion_matrix_of_the_shipped_network(shipped, shipped_matrix):
    labels, predictions = shipped["labels"], shipped["predictions"]
    crosstab = pd.crosstab(pd.Series(labels, name="true"), pd.Series(predictions, name="predicted"))
    crosstab = crosstab.reindex(index=range(10), columns=range(10), fill_value=0)

    np.testing.assert_array_equal(shipped_matrix, crosstab.to_numpy())
    np.testing.assert_array_equal(shipped_matrix, counted_with_counter(labels, predictions))
    assert shipped_matrix.sum(axis=1).tolist() == TEST_LABEL_COUNTS
    assert shipped_matrix.sum() == 10_000
    assert np.trace(shipped_matrix) == np.sum(labels == predictions) == SHIPPED_RIGHT


BAD_LABELS = {
    "mismatched lengths": ([1, 2, 3], [1, 2], "3 true labels but 2 predicted"),
    "empty": ([], [], "empty"),
    "a label of 10": ([1, 10, 3], [1, 2, 3], r"true_labels\[1\] is 10"),
    "a negative prediction": ([1, 2, 3], [1, 2, -1], r"predicted_labels\[2\] is -1"),
    "a fraction": ([1, 2.5], [1, 2], r"true_labels\[1\] is 2.5"),
    "NaN": ([1, 2], [1, np.nan], r"predicted_labels\[1\] is nan"),
    "text": (["1", "2"], [1, 2], "whole numbers 0 to 9"),
    "outputs, not digits": ([1, 2], np.full((2, 10), 0.1), "network.predict"),
}


@pytest.mark.parametrize("case", BAD_LABELS, ids=list(BAD_LABELS))
def test_confusion_matrix_rejects_bad_labels(case):
    true_labels, predicted_labels, message = BAD_LABELS[case]
    with pytest.raises(ValueError, match=message):
        confusion_matrix(true_labels, predicted_labels)


def test_confusion_matrix_rejects_labels_outside_fewer_classes():
    with pytest.raises(ValueError, match="whole numbers 0 to 2"):
        confusion_matrix([0, 3], [0, 1], classes=3)


@pytest.mark.parametrize("classes", [0, -1, 2.5, True])
def test_confusion_matrix_rejects_bad_classes(classes):
    with pytest.raises(ValueError, match="classes"):
        confusion_matrix([0], [0], classes=classes)


# -- per_digit_scores -------------------------------------------------------------------

def test_scores_of_a_small_example_worked_by_hand():
    # 7 images of 4 classes:   true 0 0 0 0 1 1 2
    #                     predicted 0 0 1 2 1 1 1     (class 3 never appears)
    # matrix rows (true): 0: [2 1 1 0]  1: [0 2 0 0]  2: [0 1 0 0]  3: [0 0 0 0]
    # column sums (predicted): 2 4 1 0    row sums (support): 4 2 1 0
    # precision 2/2, 2/4, 0/1, 0 (never predicted)   recall 2/4, 2/2, 0/1, 0 (never present)
    matrix = confusion_matrix([0, 0, 0, 0, 1, 1, 2], [0, 0, 1, 2, 1, 1, 1], classes=4)
    np.testing.assert_array_equal(matrix, [[2, 1, 1, 0], [0, 2, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]])

    scores = per_digit_scores(matrix)

    assert list(scores.columns) == ["precision", "recall", "f1", "support"]
    assert scores.index.name == "digit" and scores.index.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(scores["precision"], [1.0, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(scores["recall"], [0.5, 1.0, 0.0, 0.0])
    # F1 = 2 P R / (P + R): 2 * 1 * 0.5 / 1.5 = 2/3 for digits 0 and 1, 0 where P + R = 0
    np.testing.assert_allclose(scores["f1"], [2 / 3, 2 / 3, 0.0, 0.0])
    assert scores["support"].tolist() == [4, 2, 1, 0]


def test_scores_of_the_shipped_network_match_a_count_from_the_labels(shipped, shipped_matrix):
    labels, predictions = shipped["labels"], shipped["predictions"]
    scores = per_digit_scores(shipped_matrix)
    for digit in range(10):
        precision = np.mean(labels[predictions == digit] == digit)
        recall = np.mean(predictions[labels == digit] == digit)
        assert scores.loc[digit, "precision"] == pytest.approx(precision)
        assert scores.loc[digit, "recall"] == pytest.approx(recall)
        assert scores.loc[digit, "f1"] == pytest.approx(2 / (1 / precision + 1 / recall))
    assert scores["support"].tolist() == TEST_LABEL_COUNTS


BAD_MATRICES = {
    "not square": (np.ones((3, 4)), "square"),
    "one-dimensional": (np.ones(10), "square"),
    "empty": (np.zeros((0, 0)), "square"),
    "negative": (np.array([[1, -1], [0, 1]]), "never negative"),
    "NaN": (np.array([[1, np.nan], [0, 1]]), "never negative, NaN"),
    "all zero": (np.zeros((10, 10)), "no images"),
    "text": (np.array([["1", "2"], ["3", "4"]]), "counts"),
}


@pytest.mark.parametrize("case", BAD_MATRICES, ids=list(BAD_MATRICES))
def test_scores_and_pairs_reject_bad_matrices(case):
    matrix, message = BAD_MATRICES[case]
    with pytest.raises(ValueError, match=message):
        per_digit_scores(matrix)
    with pytest.raises(ValueError, match=message):
        most_confused_pairs(matrix)


# -- most_confused_pairs ----------------------------------------------------------------

def test_most_confused_pairs_of_a_small_example():
    matrix = np.array([[50, 4, 0],
                       [4, 40, 1],
                       [7, 0, 30]])
    pairs = most_confused_pairs(matrix, n=10)

    # 2 read as 0 most often; the tie at 4 goes by true digit; the diagonal and the
    # pairs never confused are left out, so there are 4 rows, not 10
    assert list(pairs.columns) == ["true_digit", "predicted_digit", "count", "share"]
    assert pairs.index.name == "rank" and pairs.index.tolist() == [1, 2, 3, 4]
    assert pairs[["true_digit", "predicted_digit", "count"]].to_numpy().tolist() == [
        [2, 0, 7], [0, 1, 4], [1, 0, 4], [1, 2, 1]]
    np.testing.assert_allclose(pairs["share"], [7 / 37, 4 / 54, 4 / 45, 1 / 45])
    assert most_confused_pairs(matrix, n=2)["count"].tolist() == [7, 4]


def test_a_perfect_matrix_has_no_confused_pairs():
    assert most_confused_pairs(np.diag([5, 6, 7])).empty


def test_most_confused_pairs_of_the_shipped_network(shipped_matrix):
    pairs = most_confused_pairs(shipped_matrix, n=10)
    # the same, the slow way: every cell off the diagonal, sorted by count
    cells = sorted(((-shipped_matrix[t, p], t, p) for t in range(10) for p in range(10) if t != p))
    expected = [[t, p, -minus_count] for minus_count, t, p in cells[:10]]
    assert pairs[["true_digit", "predicted_digit", "count"]].to_numpy().tolist() == expected
    assert pairs.iloc[0][["true_digit", "predicted_digit", "count"]].tolist() == [9, 4, 11]


@pytest.mark.parametrize("n", [0, -3, 1.5])
def test_most_confused_pairs_rejects_a_bad_n(shipped_matrix, n):
    with pytest.raises(ValueError, match="n must be"):
        most_confused_pairs(shipped_matrix, n=n)


# -- confidence -------------------------------------------------------------------------

def test_confidence_by_hand():
    on_target = [0.99] + [0.01] * 9
    assert confidence(on_target) == pytest.approx(0.99 / 1.08)
    assert confidence([0.5] * 10) == pytest.approx(0.1)
    np.testing.assert_allclose(confidence([[0.2, 0.6, 0.2], [0.0, 0.0, 0.3]]), [0.6, 1.0])


def test_confidence_of_the_shipped_network(shipped):
    outputs = shipped["outputs"]
    result = confidence(outputs)
    assert result.shape == (10_000,)
    assert (result >= 0.1).all() and (result <= 1).all()
    np.testing.assert_allclose(result, outputs.max(axis=1) / outputs.sum(axis=1), rtol=1e-6)


@pytest.mark.parametrize("outputs, message", [
    (np.ones((2, 3, 10)), "shape"),
    (np.ones((0, 10)), "shape"),
    ([[0.5, -0.1]], "not negative"),
    ([[0.5, np.nan]], "finite"),
    ([[0.0, 0.0]], "all outputs 0"),
])
def test_confidence_rejects_bad_outputs(outputs, message):
    with pytest.raises(ValueError, match=message):
        confidence(outputs)


# -- confusion_heatmap ------------------------------------------------------------------

def cell_texts(ax: Axes) -> list[str]:
    """The numbers written in the cells, row by row (cells that are 0 are left blank)."""
    return [text.get_text() for text in ax.texts if text.get_text()]


def test_heatmap_of_counts(shipped_matrix):
    ax = confusion_heatmap(shipped_matrix)

    assert isinstance(ax, Axes)
    assert ax.get_xlabel() == "predicted digit" and ax.get_ylabel() == "true digit"
    assert ax.get_title() == "Confusion matrix (counts)"
    assert [label.get_text() for label in ax.get_xticklabels()] == [str(d) for d in range(10)]
    assert [label.get_text() for label in ax.get_yticklabels()] == [str(d) for d in range(10)]
    assert ax.get_aspect() == 1.0  # square cells
    colour_bar = ax.collections[0].colorbar
    assert colour_bar is not None and colour_bar.ax.get_ylabel() == "number of images"
    # one annotation per cell that is not 0, reading its count, row by row
    assert cell_texts(ax) == [str(count) for count in shipped_matrix.ravel() if count]


def test_heatmap_row_normalised(shipped_matrix):
    ax = confusion_heatmap(shipped_matrix, normalise=True, title="Shares")

    assert ax.get_title() == "Shares"
    assert ax.collections[0].colorbar.ax.get_ylabel() == "% of the true digit's images"
    shown = np.asarray(ax.collections[0].get_array()).reshape(10, 10)
    np.testing.assert_allclose(shown.sum(axis=1), 100)
    assert cell_texts(ax)[0] == f"{100 * 973 / 980:.1f}"  # 99.3: the 0s read as 0s


def test_heatmap_of_errors_only_hides_the_diagonal(shipped_matrix):
    ax = confusion_heatmap(shipped_matrix, errors_only=True)

    assert "Mistakes only" in ax.get_title()
    mesh = next(child for child in ax.get_children() if isinstance(child, QuadMesh))
    shown = np.ma.masked_invalid(mesh.get_array()).reshape(10, 10)
    assert np.ma.getmaskarray(shown).diagonal().all()  # the right answers are hidden
    off_diagonal = ~np.eye(10, dtype=bool)
    assert mesh.norm.vmax == shipped_matrix[off_diagonal].max()  # colours scaled to mistakes
    assert cell_texts(ax) == [str(count) for count in shipped_matrix[off_diagonal] if count]


def test_heatmaps_side_by_side_share_a_colour_scale(shipped_matrix):
    fig, (left, right) = plt.subplots(1, 2)
    assert confusion_heatmap(shipped_matrix, ax=left, vmax=20) is left
    assert confusion_heatmap(shipped_matrix * 2, ax=right, vmax=20, annotate=False) is right
    assert left.collections[0].norm.vmax == right.collections[0].norm.vmax == 20
    assert len(right.texts) == 0 and len(cell_texts(left)) > 0


@pytest.mark.parametrize("kwargs, error, message", [
    ({"matrix": np.ones((3, 4))}, ValueError, "square"),
    ({"matrix": -np.eye(3)}, ValueError, "never negative"),
    ({"matrix": np.zeros((10, 10))}, ValueError, "no images"),
    ({"matrix": np.eye(3), "vmax": 0}, ValueError, "vmax"),
    ({"matrix": np.eye(3), "ax": "left"}, TypeError, "Axes"),
])
def test_heatmap_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        confusion_heatmap(**kwargs)


# -- digit_gallery ----------------------------------------------------------------------

def test_mosaic_puts_each_image_in_its_place():
    images = np.arange(3 * 28 * 28, dtype=float).reshape(3, 28, 28) + 1
    mosaic, corners = _mosaic(images, columns=2, head=5, gap=4)

    # 2 rows of (5 + 28) pixels; 2 columns of 28 pixels with a gap of 4 between them
    assert mosaic.shape == (66, 60)
    assert corners == [(5, 0), (5, 32), (38, 0)]
    for image, (top, left) in zip(images, corners):
        np.testing.assert_array_equal(mosaic[top:top + 28, left:left + 28], image)
    assert mosaic.sum() == images.sum()  # the rest is blank paper


def placed_images(fig: Figure) -> tuple[list[str], list[np.ndarray]]:
    """The titles of a gallery, and the 28 x 28 piece of its picture under each title."""
    (ax,) = fig.axes
    (picture,) = ax.images
    pixels = np.asarray(picture.get_array())
    titles, pieces = [], []
    for text in ax.texts:
        x, y = text.get_position()  # centred 1.5 pixels above its image
        top, left = round(y + 1.5), round(x - 13.5)
        titles.append(text.get_text())
        pieces.append(pixels[top:top + 28, left:left + 28])
    return titles, pieces


def test_gallery_of_network_inputs(shipped):
    images = shipped["inputs"][:7]  # shape (7, 784), 0.01 to 1.0
    titles = [f"true {label}\nimage {i}" for i, label in enumerate(shipped["labels"][:7])]

    fig = digit_gallery(images, titles, columns=3, title="Seven test digits")

    assert isinstance(fig, Figure)
    assert fig.get_suptitle() == "Seven test digits"
    assert fig.axes[0].images[0].get_clim() == (0, 1)
    drawn_titles, pieces = placed_images(fig)
    assert drawn_titles == titles
    for image, piece in zip(images, pieces):  # each image right under its own title
        np.testing.assert_allclose(piece, image.reshape(28, 28))
    width, height = fig.get_size_inches()
    assert width == pytest.approx(3 * 1.25, rel=0.1) and height > 3 * 1.25  # 3 rows of 3


def test_gallery_of_raw_pixels_and_of_one_image():
    raw = np.random.default_rng(0).integers(0, 256, (2, 28, 28))
    fig = digit_gallery(raw, ["a", "b"])
    _, pieces = placed_images(fig)
    for image, piece in zip(raw, pieces):
        np.testing.assert_allclose(piece, image / 255)  # 255 is the darkest ink
    assert fig.axes[0].texts[0].get_text() == "a" and fig.get_suptitle() == ""

    one = digit_gallery(raw[0].ravel())  # shape (784,), no titles
    assert len(one.axes[0].texts) == 0
    np.testing.assert_allclose(one.axes[0].images[0].get_array()[-28:, :28], raw[0] / 255)


@pytest.mark.parametrize("images, titles, columns, message", [
    (np.ones((3, 783)), None, 10, "shape"),
    (np.ones((0, 784)), None, 10, "no images"),
    (np.ones((3, 784)), ["a", "b"], 10, "3 images but 2 titles"),
    (np.full((1, 784), -1.0), None, 10, "0 to 255"),
    (np.full((1, 784), 256), None, 10, "0 to 255"),
    (np.full((1, 784), np.nan), None, 10, "NaN"),
    (np.ones((1, 784)), None, 0, "columns"),
])
def test_gallery_rejects_bad_input(images, titles, columns, message):
    with pytest.raises(ValueError, match=message):
        digit_gallery(images, titles, columns=columns)
