"""Looking inside a trained network: backquery, and which hidden units fire for which digits.

Notebook 06 builds these step by step.

**Backquery** runs the network backwards. Forwards, each layer computes a weighted sum
and squashes it with the sigmoid::

    hidden  = sigmoid(inputs @ w_input_hidden.T  + b_hidden)
    outputs = sigmoid(hidden @ w_hidden_output.T + b_output)

Backwards, :func:`backquery_steps` undoes each step as far as it can, starting from the
outputs we ask for (0.99 for one digit, 0.01 for the others)::

    z_output      = logit(outputs) - b_output       # logit undoes the sigmoid
    hidden_signal = z_output @ w_hidden_output      # back through the transposed weights
    hidden        = rescale(hidden_signal)          # into 0.01..0.99, so logit is finite
    z_hidden      = logit(hidden) - b_hidden
    input_signal  = z_hidden @ w_input_hidden
    inputs        = rescale(input_signal)           # an image, 784 values in 0.01..0.99

Only the logit and the bias are true inverses. Ten numbers cannot determine 200 (nor 200
numbers 784), so no step can recover *the* hidden signals: the transposed weights send
each signal back along the links it came by, in proportion to their weights, and the
rescaling squeezes the result into the range where the logit is defined.

**Hidden activity by digit**: :func:`hidden_activity_by_digit` averages the hidden layer's
signals over the images of each digit, a table of 10 rows (digits) and one column per
hidden unit.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logit

from .core import TARGET_OFF, TARGET_ON, check_labels, make_targets

#: The range that :func:`rescale` squeezes a signal into: the same as the targets, well
#: inside 0..1, where the logit is finite (logit(0.01) = -4.6, logit(0.99) = +4.6).
LOW, HIGH = TARGET_OFF, TARGET_ON


def rescale(signal, low: float = LOW, high: float = HIGH) -> np.ndarray:
    """Stretch ``signal`` linearly so that its smallest value becomes ``low`` and its
    largest ``high``.

    A signal whose values are all the same cannot be stretched: it becomes
    ``(low + high) / 2`` everywhere.

    Returns
    -------
    float64 array of the shape of ``signal``, every value in ``low..high``.
    """
    signal = np.asarray(signal, dtype=np.float64)
    if signal.size == 0 or not np.isfinite(signal).all():
        raise ValueError(f"cannot rescale a signal of shape {signal.shape} that is empty or "
                         "holds NaN or infinite values")
    if not 0 < low < high < 1:
        raise ValueError(f"low={low!r} and high={high!r} must satisfy 0 < low < high < 1, "
                         "so that the logit of every rescaled value is finite")
    spread = signal.max() - signal.min()
    if spread == 0:
        return np.full(signal.shape, (low + high) / 2)
    fraction = (signal - signal.min()) / spread  # 0 for the smallest value, 1 for the largest
    rescaled = low * (1 - fraction) + high * fraction  # exactly low at 0, exactly high at 1
    return np.clip(rescaled, low, high)  # in case rounding lands a hair outside


def check_targets(network, label_or_targets) -> np.ndarray:
    """The outputs to backquery: the targets of a digit, or ``output_nodes`` values given.

    A whole number ``d`` means the targets of digit ``d``: 0.99 at position ``d``, 0.01
    elsewhere. Anything else must be ``output_nodes`` values strictly between 0 and 1 (the
    logit of 0 or 1 is infinite). Raises a ValueError that says what is wrong.
    """
    classes = network.output_nodes
    if isinstance(label_or_targets, (bool, np.bool_)):
        raise ValueError(f"label_or_targets must be a digit 0 to {classes - 1} or "
                         f"{classes} target values, not {label_or_targets!r}")
    if isinstance(label_or_targets, (int, np.integer)):
        if not 0 <= label_or_targets < classes:
            raise ValueError(f"there is no digit {label_or_targets}: this network's outputs "
                             f"are the digits 0 to {classes - 1}")
        return make_targets(int(label_or_targets), classes, dtype=np.float64)
    targets = np.asarray(label_or_targets, dtype=np.float64)
    if targets.shape != (classes,):
        raise ValueError(f"targets have shape {targets.shape}, expected ({classes},): one "
                         f"value per output, or pass a single digit 0 to {classes - 1}")
    if not (np.isfinite(targets).all() and (targets > 0).all() and (targets < 1).all()):
        raise ValueError(f"targets must lie strictly between 0 and 1 (such as {TARGET_OFF} and "
                         f"{TARGET_ON}), because logit(0) and logit(1) are infinite; got "
                         f"{np.round(targets, 3).tolist()}")
    return targets


def backquery_steps(network, label_or_targets) -> dict[str, np.ndarray]:
    """Every step of a backquery, by name, from ``outputs`` back to ``inputs``.

    Parameters
    ----------
    network : a trained :class:`helpers.network.NeuralNetwork`
    label_or_targets : a digit (its targets: 0.99 for it, 0.01 for the others), or
        ``output_nodes`` values strictly between 0 and 1

    Returns
    -------
    dict of float64 arrays: ``outputs``, ``z_output``, ``hidden_signal``, ``hidden``,
    ``z_hidden``, ``input_signal``, ``inputs`` (the image, 784 values in 0.01..0.99).
    """
    outputs = check_targets(network, label_or_targets)
    z_output = logit(outputs) - network.b_output
    hidden_signal = z_output @ network.w_hidden_output
    hidden = rescale(hidden_signal)
    z_hidden = logit(hidden) - network.b_hidden
    input_signal = z_hidden @ network.w_input_hidden
    inputs = rescale(input_signal)
    return {"outputs": outputs, "z_output": z_output, "hidden_signal": hidden_signal,
            "hidden": hidden, "z_hidden": z_hidden, "input_signal": input_signal,
            "inputs": inputs}


def backquery(network, label_or_targets) -> np.ndarray:
    """What the network "imagines" for a digit: its outputs run backwards to an image.

    Returns the ``inputs`` of :func:`backquery_steps`: shape (784,), values in 0.01..0.99.
    """
    return backquery_steps(network, label_or_targets)["inputs"]


def hidden_activity_by_digit(network, inputs, labels) -> np.ndarray:
    """The mean signal of each hidden unit over the images of each digit.

    Parameters
    ----------
    network : a :class:`helpers.network.NeuralNetwork`
    inputs : images, shape (n, 784), scaled as :func:`helpers.data.load_mnist` does
    labels : their digits, shape (n,), each 0 to ``output_nodes - 1``

    Returns
    -------
    array of shape (output_nodes, hidden_nodes): row ``d``, column ``j`` is the mean signal
    of hidden unit ``j`` over the images of digit ``d``.

    Raises
    ------
    ValueError if labels are not one digit per image, or a digit has no image at all.
    """
    classes = network.output_nodes
    inputs = np.atleast_2d(inputs)
    labels = check_labels(labels, classes, samples=len(inputs))
    counts = np.bincount(labels, minlength=classes)
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0).tolist()
        raise ValueError(f"no images of the digits {missing}: a mean activity needs at least "
                         "one image of every digit (use more images, e.g. the whole test set)")
    hidden, _ = network.forward(inputs)
    # one_hot[i, d] is 1 if image i shows digit d: one_hot.T @ hidden adds up the hidden
    # signals of each digit's images, one row per digit
    one_hot = (labels[:, None] == np.arange(classes)).astype(np.float64)
    return (one_hot.T @ hidden.astype(np.float64)) / counts[:, None]
