"""Numerical gradients for the tests: the independent reference that backpropagation is
checked against (central differences, as notebook 02 explains them)."""

from __future__ import annotations

import numpy as np


def numerical_gradient(loss, array: np.ndarray, epsilon: float = 1e-6, indices=None) -> np.ndarray:
    """dLoss/d(array) by central differences, changing one entry of ``array`` at a time in
    place (and putting it back); ``loss()`` returns the loss for the array as it is.

    With ``indices`` (a list of index tuples), only those entries, as a flat array.
    """
    picked = list(np.ndindex(array.shape)) if indices is None else list(indices)
    gradient = np.zeros(len(picked))
    for i, index in enumerate(picked):
        kept = array[index]
        array[index] = kept + epsilon
        above = loss()
        array[index] = kept - epsilon
        below = loss()
        array[index] = kept
        gradient[i] = (above - below) / (2 * epsilon)
    return gradient.reshape(array.shape) if indices is None else gradient


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||): 0 when equal, 1 when unrelated (0 if both are 0)."""
    size = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / size) if size else 0.0
