"""Saving a trained network to a ``.npz`` file and loading it back, safely.

A saved network is a NumPy ``.npz`` archive of plain arrays (no pickled Python objects,
so loading a file cannot run code):

* ``format`` ("digits-by-hand network") and ``format_version`` (1), so that a file
  from another program is recognised as such;
* ``kind`` (the class, e.g. "NeuralNetwork") and ``name`` (a description for people);
* ``architecture/<key>``: the numbers that build the network (layer sizes, learning rate);
* ``parameter/<name>``: the weights and biases.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .network import NeuralNetwork

FORMAT = "digits-by-hand network"
FORMAT_VERSION = 1

#: The folder of the trained networks that ship with the course.
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

#: The network that notebook 03 trains, used by the later notebooks and the command line.
DEFAULT_MODEL = MODELS_DIR / "mnist_784_200_10.npz"

#: The classes a file may name as its ``kind``.
KINDS = {"NeuralNetwork": NeuralNetwork}


class ModelFileError(ValueError):
    """A file that is not a network saved by this course, or a damaged one."""


def architecture(network) -> dict[str, float]:
    """The numbers that rebuild ``network``'s shape: its constructor's arguments."""
    return {"input_nodes": network.input_nodes, "hidden_nodes": network.hidden_nodes,
            "output_nodes": network.output_nodes, "learning_rate": network.learning_rate}


def save_network(network, path: str | Path, name: str = "") -> Path:
    """Save ``network`` to ``path`` (a ``.npz`` file), replacing it whole or not at all."""
    kind = type(network).__name__
    if kind not in KINDS:
        raise TypeError(f"cannot save a {kind}: expected one of {sorted(KINDS)}")
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"{path}: a saved network's file name must end in .npz")
    arrays = {"format": np.array(FORMAT), "format_version": np.array(FORMAT_VERSION),
              "kind": np.array(kind), "name": np.array(name)}
    arrays.update({f"architecture/{key}": np.array(value)
                   for key, value in architecture(network).items()})
    arrays.update({f"parameter/{key}": value for key, value in network.parameters().items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz.partial")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def load_network(path: str | Path):
    """Load a network saved by :func:`save_network`.

    Raises
    ------
    FileNotFoundError if there is no such file; ModelFileError (a ValueError) if the file
    is not a network saved by this course, or its arrays are missing, misshapen or not
    finite numbers. The message says which file and what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no network file at {path}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ModelFileError(f"{path} is not a network saved by this course "
                             f"(not a readable .npz archive: {exc})") from None
    if str(arrays.get("format", "")) != FORMAT:
        raise ModelFileError(
            f"{path} was not saved by helpers.saving.save_network: it has the arrays "
            f"{sorted(arrays)[:8]} but no format '{FORMAT}'. A file from another program "
            "cannot be loaded here; train a network in notebook 03 and save it.")
    version = int(arrays["format_version"]) if "format_version" in arrays else None
    if version != FORMAT_VERSION:
        raise ModelFileError(f"{path} has format version {version}; this course reads "
                             f"version {FORMAT_VERSION}. Update the course (git pull).")
    kind = str(arrays.get("kind", ""))
    if kind not in KINDS:
        raise ModelFileError(f"{path} holds a {kind!r}; this course knows {sorted(KINDS)}")
    settings = {key.split("/", 1)[1]: value.item() for key, value in arrays.items()
                if key.startswith("architecture/")}
    try:
        network = KINDS[kind](**settings, seed=None)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path} has an architecture this course cannot build: "
                             f"{settings} ({exc})") from None
    for key, expected in network.parameters().items():
        stored = arrays.get(f"parameter/{key}")
        if stored is None:
            raise ModelFileError(f"{path} is missing the array parameter/{key}")
        if stored.shape != expected.shape:
            raise ModelFileError(f"{path}: parameter/{key} has shape {stored.shape}, expected "
                                 f"{expected.shape} for the architecture {settings}")
        if not np.issubdtype(stored.dtype, np.floating) or not np.isfinite(stored).all():
            raise ModelFileError(f"{path}: parameter/{key} must hold finite floating-point numbers")
        expected[...] = stored
    network.name = str(arrays.get("name", ""))
    return network
