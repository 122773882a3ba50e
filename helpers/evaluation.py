"""Measuring where a network goes wrong: the confusion matrix and what it tells.

Notebook 04 builds these step by step. A confusion matrix ``C`` counts, for every pair of
digits, how many test images of the first were read as the second::

    C[true, predicted] = number of images of digit `true` that the network read as `predicted`

Its rows are the true digits and its columns the predicted ones, so the diagonal holds the
right answers and every other cell one kind of mistake. From it come

* :func:`per_digit_scores`: precision, recall and F1 of each digit, as a table;
* :func:`most_confused_pairs`: the mistakes the network makes most often.

:func:`confidence` turns the network's ten outputs into one number: how sure it is of its
answer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core import check_labels

#: The number of classes (digits 0 to 9).
CLASSES = 10


def _check_classes(classes) -> int:
    if isinstance(classes, bool) or int(classes) != classes or classes < 1:
        raise ValueError(f"classes must be a whole number of at least 1, not {classes!r}")
    return int(classes)


def confusion_matrix(true_labels, predicted_labels, classes: int = CLASSES) -> np.ndarray:
    """Count how often each true digit was read as each predicted digit.

    Parameters
    ----------
    true_labels : the right digit of each image (1-D, whole numbers 0 to classes-1)
    predicted_labels : the digit the network read in the same images, in the same order
    classes : the number of classes (10 for digits)

    Returns
    -------
    matrix : int64 array of shape (classes, classes); ``matrix[t, p]`` is the number of
        images of digit ``t`` read as ``p``. Row ``t`` sums to the number of images of
        ``t``; the diagonal (the trace) sums to the number of right answers.

    Raises
    ------
    ValueError if the two have different lengths, are empty, or hold values that are not
    digits 0 to classes-1.
    """
    classes = _check_classes(classes)
    true_labels = check_labels(true_labels, classes, name="true_labels")
    predicted_labels = check_labels(predicted_labels, classes, name="predicted_labels")
    if len(true_labels) != len(predicted_labels):
        raise ValueError(f"{len(true_labels)} true labels but {len(predicted_labels)} predicted "
                         "labels: they must describe the same images, in the same order")
    matrix = np.zeros((classes, classes), dtype=np.int64)
    # Add 1 at (true, predicted) for every image. np.add.at counts a pair as often as it
    # comes; `matrix[true_labels, predicted_labels] += 1` would count each pair only once.
    np.add.at(matrix, (true_labels, predicted_labels), 1)
    return matrix


def check_matrix(matrix) -> np.ndarray:
    """``matrix`` as a square array of counts, or a ValueError that says what is wrong with it."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"a confusion matrix is square, one row and one column per class; "
                         f"this one has shape {matrix.shape}")
    if matrix.dtype == bool or not np.issubdtype(matrix.dtype, np.number):
        raise ValueError(f"a confusion matrix holds counts, not values of type {matrix.dtype}")
    if not np.isfinite(matrix).all() or (matrix < 0).any():
        raise ValueError("a confusion matrix holds counts, which are never negative, NaN or "
                         "infinite; make it with confusion_matrix(true_labels, predicted_labels)")
    if matrix.sum() == 0:
        raise ValueError("the confusion matrix counts no images at all (every cell is 0)")
    return matrix


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, with 0 where the denominator is 0."""
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def per_digit_scores(matrix) -> pd.DataFrame:
    """Precision, recall, F1 and support of each digit, from a confusion matrix.

    For digit ``d``, with ``C`` the matrix (rows true, columns predicted):

    * precision = C[d, d] / (column d's sum): of the images read as d, the share that are d;
    * recall = C[d, d] / (row d's sum): of the images of d, the share read as d;
    * F1 = 2 * precision * recall / (precision + recall), their harmonic mean;
    * support = row d's sum, the number of images of d.

    A score whose denominator is 0 (a digit never predicted, or never present) is 0.

    Returns
    -------
    DataFrame indexed by ``digit``, with the columns precision, recall, f1 and support.
    """
    matrix = check_matrix(matrix)
    right = np.diag(matrix)
    precision = _divide(right, matrix.sum(axis=0))
    recall = _divide(right, matrix.sum(axis=1))
    f1 = _divide(2 * precision * recall, precision + recall)
    return pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1,
         "support": matrix.sum(axis=1).astype(np.int64)},
        index=pd.RangeIndex(len(matrix), name="digit"))


def most_confused_pairs(matrix, n: int = 10) -> pd.DataFrame:
    """The ``n`` most frequent mistakes in a confusion matrix, most frequent first.

    A pair is ordered: "4 read as 9" and "9 read as 4" are two different mistakes. Ties are
    listed by true digit, then predicted digit. Pairs never confused are left out, so the
    table has fewer than ``n`` rows when there are fewer kinds of mistake.

    Returns
    -------
    DataFrame indexed by ``rank`` (1, 2, ...), with the columns ``true_digit``,
    ``predicted_digit``, ``count`` (how many images) and ``share`` (count divided by the
    number of images of the true digit).
    """
    matrix = check_matrix(matrix)
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"n must be a whole number of at least 1, not {n!r}")
    true_digit, predicted_digit = np.nonzero(matrix)
    mistakes = true_digit != predicted_digit
    pairs = pd.DataFrame({"true_digit": true_digit[mistakes],
                          "predicted_digit": predicted_digit[mistakes]})
    pairs["count"] = matrix[pairs["true_digit"], pairs["predicted_digit"]]
    pairs["share"] = pairs["count"] / matrix.sum(axis=1)[pairs["true_digit"]]
    pairs = pairs.sort_values(["count", "true_digit", "predicted_digit"],
                              ascending=[False, True, True], kind="stable").head(int(n))
    pairs.index = pd.RangeIndex(1, len(pairs) + 1, name="rank")
    return pairs


def confidence(outputs) -> np.ndarray:
    """How sure the network is of its answer: its top output's share of all its outputs.

    The network's outputs come from ten separate sigmoids, each between 0 and 1; they are
    not probabilities and do not add up to 1. Dividing the top output by their sum gives
    the share of the winning digit in the network's total "vote", between 1/10 (all ten
    outputs equal: no idea) and 1 (only one output fires). A network that hits its targets
    (0.99 for the answer, 0.01 for the nine others) has a confidence of 0.99 / 1.08 = 0.92.

    Parameters
    ----------
    outputs : ``network.query(inputs)``: shape (n, 10) for n images, or (10,) for one

    Returns
    -------
    one confidence per image, shape (n,) (a float for a single image)
    """
    outputs = np.asarray(outputs, dtype=float)
    if outputs.ndim not in (1, 2) or outputs.shape[-1] < 2 or outputs.size == 0:
        raise ValueError(f"outputs must be the network's outputs, shape (n, 10) for n images "
                         f"(network.query(inputs)), not an array of shape {outputs.shape}")
    if not np.isfinite(outputs).all() or (outputs < 0).any():
        raise ValueError("outputs must be finite and not negative, as sigmoid outputs are")
    total = outputs.sum(axis=-1)
    if (total == 0).any():
        raise ValueError("some images have all outputs 0: their confidence is undefined")
    result = outputs.max(axis=-1) / total
    return float(result) if outputs.ndim == 1 else result
