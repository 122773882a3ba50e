"""Training a network on MNIST: shuffling, mini-batches, epochs and a history to plot.

Notebook 03 builds this loop step by step; later notebooks call :func:`fit`. It trains
notebook 02's :class:`~helpers.network.NeuralNetwork` and the layered
:class:`~helpers.layers.Sequential` networks alike, through the one way in that every
network has: ``network.train(inputs, labels)``, ``network.loss(inputs, labels)``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
from tqdm import tqdm

from .core import TrainingDiverged


def accuracy(network, inputs: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of ``inputs`` whose digit the network reads correctly."""
    return float(np.mean(network.predict(inputs) == np.asarray(labels)))


def split_validation(inputs: np.ndarray, labels: np.ndarray, size: int = 10_000, seed: int = 0):
    """Hold out ``size`` random training images as a validation set.

    Returns ``(train_inputs, train_labels), (validation_inputs, validation_labels)``.
    """
    if not 0 < size < len(labels):
        raise ValueError(f"size must be between 1 and {len(labels) - 1}, not {size}")
    order = np.random.default_rng(seed).permutation(len(labels))
    held, kept = order[:size], order[size:]
    return (inputs[kept], labels[kept]), (inputs[held], labels[held])


def fit(
    network,
    inputs: np.ndarray,
    labels: np.ndarray,
    epochs: int,
    batch_size: int = 16,
    learning_rate_decay: float = 1.0,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 42,
    progress: bool = True,
    augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
) -> dict[str, list[float]]:
    """Train ``network`` for ``epochs`` passes over the data, in shuffled mini-batches.

    Epoch ``e`` (counted from 1) uses the learning rate
    ``learning_rate * learning_rate_decay ** (e - 1)``; the network keeps the last one.
    ``network`` is any network of the course: a NeuralNetwork or a Sequential network.

    ``augment``, if given, changes the inputs of every batch before the network sees them:
    ``augment(batch_inputs, rng)`` returns new inputs of the same shape, drawing any random
    numbers from ``rng`` (fit's own generator, so that ``seed`` fixes them too), such as
    :func:`helpers.augment.random_rotations_and_shifts`. Its time counts as training time.

    Returns
    -------
    history : a dict of lists, one value per epoch: ``epoch``, ``learning_rate``,
        ``loss`` (mean training loss over the epoch's batches, each before its step),
        ``train_loss`` and ``train_accuracy`` (measured on the first 10,000 training
        images, or all if fewer, at the end of the epoch),
        ``validation_accuracy`` and ``validation_loss`` (when ``validation`` is given)
        and ``seconds`` (training time of the epoch, without the measurements).
    """
    if int(epochs) != epochs or epochs < 1:
        raise ValueError(f"epochs must be a whole number of at least 1, not {epochs!r}")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number of at least 1, not {batch_size!r}")
    if len(inputs) != len(labels):
        raise ValueError(f"{len(inputs)} inputs but {len(labels)} labels: they must match")
    rng = np.random.default_rng(seed)
    inputs = np.asarray(inputs, dtype=network.dtype)
    labels = np.asarray(labels)  # each batch's network.train checks them
    probe = slice(0, min(len(labels), 10_000))
    history: dict[str, list[float]] = {key: [] for key in (
        "epoch", "learning_rate", "loss", "train_loss", "train_accuracy", "validation_accuracy",
        "validation_loss", "seconds")}
    first_learning_rate = network.learning_rate
    batch_size = int(batch_size)
    for epoch in range(1, int(epochs) + 1):
        network.learning_rate = first_learning_rate * learning_rate_decay ** (epoch - 1)
        # A text progress bar on stdout: it updates in place while the epoch runs, and a
        # notebook saved afterwards shows each epoch's finished bar (a widget would not).
        with tqdm(total=-(-len(labels) // batch_size), desc=f"epoch {epoch}/{epochs}",
                  unit="batch", file=sys.stdout, disable=not progress, mininterval=0.5) as bar:
            start = time.perf_counter()
            order = rng.permutation(len(labels))
            batch_losses = []
            for first in range(0, len(labels), batch_size):
                batch = order[first:first + batch_size]  # picks the batch's rows: no shuffled copy
                batch_inputs = inputs[batch] if augment is None else augment(inputs[batch], rng)
                batch_losses.append(network.train(batch_inputs, labels[batch]))
                bar.update()
            seconds = time.perf_counter() - start
            outputs = network.query(inputs[probe])
            check_not_stuck(network, outputs, labels[probe], epoch)
            history["epoch"].append(epoch)
            history["learning_rate"].append(network.learning_rate)
            history["loss"].append(float(np.mean(batch_losses)))
            history["train_loss"].append(network.loss(inputs[probe], labels[probe]))
            history["train_accuracy"].append(float(np.mean(outputs.argmax(axis=1) == labels[probe])))
            summary = (f"training loss {history['train_loss'][-1]:.4f} "
                       f"accuracy {history['train_accuracy'][-1]:.4f}")
            if validation is not None:
                val_inputs, val_labels = validation
                history["validation_accuracy"].append(accuracy(network, val_inputs, val_labels))
                history["validation_loss"].append(network.loss(val_inputs, val_labels))
                summary += (f", validation loss {history['validation_loss'][-1]:.4f} "
                            f"accuracy {history['validation_accuracy'][-1]:.4f}")
            history["seconds"].append(seconds)
            bar.set_postfix_str(summary)
    if validation is None:
        del history["validation_accuracy"], history["validation_loss"]
    return history


def check_not_stuck(network, outputs: np.ndarray, labels: np.ndarray, epoch: int) -> None:
    """Raise TrainingDiverged if ``outputs`` (of many images) show a network stuck for good.

    A learning rate that is too large drives the output sigmoids into their flat ends:
    nearly every output ends up below 0.001 or above 0.999, where the slope o(1 - o) is
    almost 0, so the gradients vanish and the network stops learning, reading the images
    ``labels`` no better than a guess would (one in ten). A healthy network never gets
    there: a sigmoid network's right outputs aim at 0.99, not at 1, and a very sure
    softmax network, whose outputs are nearly all 0 or 1, reads most images right.
    """
    saturated = np.mean((outputs < 0.001) | (outputs > 0.999))
    answers = outputs.argmax(axis=1)
    right = np.mean(answers == labels)
    chance = 1 / outputs.shape[1]
    if saturated > 0.99 and right < 2 * chance:
        digits = np.unique(answers)
        says = (f"the network answers {digits[0]} for every image" if len(digits) == 1 else
                f"the network reads only {right:.1%} of the images right, no better than "
                f"guessing ({chance:.0%})")
        raise TrainingDiverged(
            network.learning_rate,
            f"after epoch {epoch}, {saturated:.1%} of the outputs are stuck below 0.001 or "
            f"above 0.999 (saturated sigmoids) and {says}, so it has stopped learning")
