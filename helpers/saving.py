"""Saving a trained network to a ``.npz`` file and loading it back, safely.

A saved network is a NumPy ``.npz`` archive of plain arrays (no pickled Python objects,
so loading a file cannot run code):

* ``format`` ("digits-by-hand network") and ``format_version`` (1), so that a file
  from another program is recognised as such;
* ``kind`` (the class, "NeuralNetwork" or "Sequential") and ``name`` (a description for
  people);
* what builds the network untrained: for a NeuralNetwork the numbers
  ``architecture/<key>`` (layer sizes, learning rate); for a Sequential network ``config``,
  the text of its ``config()`` in JSON (its layers, loss and optimiser);
* ``parameter/<name>``: the weights and biases, by the names of ``network.parameters()``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from . import conv  # noqa: F401  (defines the convolutional layers, so that LAYER_TYPES has them)
from .files import atomic_write
from .layers import LAYER_TYPES, LOSSES, Sequential
from .network import NeuralNetwork
from .optimizers import OPTIMIZERS

FORMAT = "digits-by-hand network"
FORMAT_VERSION = 1

#: The folder of the trained networks that ship with the course: models/ in a clone of the
#: course, helpers/models/ where the course was installed with ``pip install .``.
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
if not (MODELS_DIR / "mnist_784_200_10.npz").is_file():
    MODELS_DIR = Path(__file__).resolve().parent / "models"

#: The network that notebook 03 trains, used by the later notebooks and the command line.
DEFAULT_MODEL = MODELS_DIR / "mnist_784_200_10.npz"

#: The best fully connected network, trained in notebook 07.
BEST_DENSE_MODEL = MODELS_DIR / "mnist_dense_best.npz"

#: The most accurate network that ships (notebook 08's convolutional network, 0.9920).
BEST_MODEL = MODELS_DIR / "mnist_cnn.npz"

#: The numbers of ``architecture/`` that every saved network has.
ARCHITECTURE_KEYS = ("input_nodes", "hidden_nodes", "output_nodes", "learning_rate")

#: The classes a file may name as its ``kind``.
KINDS = {"NeuralNetwork": NeuralNetwork, "Sequential": Sequential}


class ModelFileError(ValueError):
    """A file that is not a network saved by this course, or a damaged one."""


def architecture(network) -> dict[str, float]:
    """The numbers that rebuild ``network``'s shape: its constructor's arguments."""
    return {key: getattr(network, key) for key in ARCHITECTURE_KEYS}


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
    if kind == "Sequential":
        arrays["config"] = np.array(json.dumps(network.config()))
    else:
        arrays.update({f"architecture/{key}": np.array(value)
                       for key, value in architecture(network).items()})
    arrays.update({f"parameter/{key}": value for key, value in network.parameters().items()})
    with atomic_write(path) as file:
        np.savez(file, **arrays)
    return path


def load_network(path: str | Path):
    """Load a network saved by :func:`save_network`.

    The file is read with ``allow_pickle=False``: a file that holds pickled Python objects
    is refused without unpickling them, since unpickling can run any code.

    Raises
    ------
    FileNotFoundError if there is no such file; ModelFileError (a ValueError) if the file
    is not a network saved by this course, or its arrays are missing, misshapen or not
    finite numbers. The message says which file and what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no network file at {path}")
    arrays = _read_arrays(path)
    if _text(arrays.get("format")) != FORMAT:
        raise ModelFileError(
            f"{path} was not saved by helpers.saving.save_network: it holds the arrays "
            f"{sorted(arrays)[:8]} but not format = '{FORMAT}'. A file from another program "
            "cannot be loaded here; train a network in notebook 03 and save it.")
    version = arrays.get("format_version")
    if version is None or version.shape != () or version.dtype.kind not in "iu" \
            or int(version) != FORMAT_VERSION:
        shown = "none" if version is None else version.tolist()
        raise ModelFileError(f"{path} has format version {shown}; this course reads version "
                             f"{FORMAT_VERSION}. If the file is newer than your copy of the "
                             "course, update the course (git pull).")
    kind = _text(arrays.get("kind"))
    if kind not in KINDS:
        raise ModelFileError(f"{path} holds a {kind!r}; this course knows {sorted(KINDS)}")
    if kind == "Sequential":
        network, built_from = _build_sequential(path, arrays)
    else:
        network, built_from = _build_neural_network(path, arrays)
    expected_names = {f"parameter/{key}" for key in network.parameters()}
    unknown = sorted(key for key in arrays
                     if key.startswith("parameter/") and key not in expected_names)
    if unknown:
        raise ModelFileError(f"{path} holds {', '.join(unknown)}, which the network it describes "
                             f"({built_from}) does not have")
    for key, expected in network.parameters().items():
        stored = arrays.get(f"parameter/{key}")
        if stored is None:
            raise ModelFileError(f"{path} is missing the array parameter/{key}")
        if stored.shape != expected.shape:
            raise ModelFileError(f"{path}: parameter/{key} has shape {stored.shape}, expected "
                                 f"{expected.shape} for the architecture {built_from}")
        if not np.issubdtype(stored.dtype, np.floating) or not np.isfinite(stored).all():
            raise ModelFileError(f"{path}: parameter/{key} must hold finite floating-point "
                                 f"numbers, not {stored.dtype} values with NaN or infinities")
        expected[...] = stored
    network.name = _text(arrays.get("name"))
    return network


def load_reading_network(path: str | Path | None = None):
    """The network that reads your digits, in the drawing pad and in ``python -m helpers
    predict``: the network saved at ``path``, or by default :data:`BEST_MODEL`.

    Both the pad (``DrawingPad()``, and the Voila page ``apps/drawing_pad.ipynb``) and the
    command line call this function, so they read with the same network unless told
    otherwise (``DrawingPad(network)``, ``predict --model PATH``).

    Why the convolutional network of notebook 08 by default, and not notebook 03's:

    * it reads more of the MNIST test digits right than any other network that ships
      (README's table, which ``python -m helpers evaluate`` prints and a test keeps true);
    * its convolutions look at small patches wherever they are on the image, so it minds
      less where and how thickly a digit was drawn than a network that weighs each pixel;
    * it is quick enough for a live answer: reading a drawing with it (preparing the
      drawing, then its answer) takes little longer than with notebook 03's network, and
      stays inside the 20 ms a live answer may take (``benchmarks/answer_speed.py``
      measures every shipped network side by side). So the choice needs no timing at run
      time: it is the same on every machine.

    Notebook 05 hands the pad the network of notebook 03 on purpose (``DrawingPad(network)``):
    there the learner watches the network they trained themselves.

    Raises FileNotFoundError or :class:`ModelFileError` as :func:`load_network` does.
    """
    return load_network(BEST_MODEL if path is None else path)


def _stored_dtype(arrays: dict[str, np.ndarray], key: str) -> np.dtype:
    """The float type of the stored parameter ``key`` (float32 if it is not a float array)."""
    stored = arrays.get(f"parameter/{key}")
    if stored is not None and stored.dtype in (np.float32, np.float64):
        return stored.dtype
    return np.dtype(np.float32)


def _build_neural_network(path: Path, arrays: dict[str, np.ndarray]):
    """A NeuralNetwork of the file's architecture, untrained, and that architecture."""
    settings = {key.split("/", 1)[1]: value for key, value in arrays.items()
                if key.startswith("architecture/")}
    missing = [key for key in ARCHITECTURE_KEYS if key not in settings]
    if missing:
        raise ModelFileError(f"{path} is missing the array(s) "
                             f"{', '.join('architecture/' + key for key in missing)}")
    try:
        settings = {key: value.item() for key, value in settings.items()}
        dtype = _stored_dtype(arrays, NeuralNetwork.PARAMETERS[0])
        network = NeuralNetwork(**settings, seed=None, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path} has an architecture this course cannot build: "
                             f"{settings} ({exc})") from None
    return network, settings


def _build_sequential(path: Path, arrays: dict[str, np.ndarray]):
    """A Sequential network of the file's ``config``, untrained, and a short description.

    Its parameters get the float type of the file's first parameter (float32 or float64)."""
    text = _text(arrays.get("config"))
    try:
        config = json.loads(text)
        layer_configs, loss_name = list(config["layers"]), config["loss"]
        optimizer_config, input_nodes = dict(config["optimizer"]), config["input_nodes"]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(
            f"{path} holds a Sequential network but no readable config: the array 'config' must "
            "be the JSON text of network.config(), with input_nodes, loss, optimizer and layers "
            f"({type(exc).__name__}: {exc})") from None
    layers = []
    for number, layer_config in enumerate(layer_configs):
        arguments = dict(layer_config) if isinstance(layer_config, dict) else {}
        name = str(arguments.pop("layer", None))
        if name not in LAYER_TYPES:
            raise ModelFileError(
                f"{path}: layer {number} is a {name!r}, which this course does not know (it "
                f"knows {', '.join(sorted(LAYER_TYPES))}). If it is your own layer class, "
                "run the code that defines it before loading.")
        try:
            layers.append(LAYER_TYPES[name](**arguments))
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"{path}: layer {number}, {name}, cannot be built from "
                                 f"{arguments} ({exc})") from None
    optimizer_name = str(optimizer_config.pop("optimizer", None))
    if str(loss_name) not in LOSSES or optimizer_name not in OPTIMIZERS:
        raise ModelFileError(f"{path}: the loss {loss_name!r} or the optimiser {optimizer_name!r} "
                             f"is unknown; this course knows the losses {sorted(LOSSES)} and the "
                             f"optimisers {sorted(OPTIMIZERS)}")
    try:
        optimizer = OPTIMIZERS[optimizer_name](**optimizer_config)
        network = Sequential(layers, LOSSES[loss_name](), optimizer, input_nodes=input_nodes)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path} has a config this course cannot build: {exc}") from None
    dtype = _stored_dtype(arrays, next(iter(network.parameters()), ""))
    for layer in layers:
        layer.parameters = {key: value.astype(dtype) for key, value in layer.parameters.items()}
    description = " -> ".join(repr(layer) for layer in layers)
    return network, description


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array in the ``.npz`` file ``path``, read without unpickling anything."""
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path} is not a network saved by this course: it is not a "
                             ".npz file (a zip archive of NumPy arrays)")
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as archive:
            for key in archive.files:
                try:
                    arrays[key] = archive[key]
                except ValueError as exc:
                    if "allow_pickle" not in str(exc):
                        raise
                    raise ModelFileError(
                        f"{path}: the array {key!r} holds pickled Python objects, which this "
                        "course never loads (unpickling a file can run any code in it). A "
                        "network saved by save_network has only numbers and text.") from None
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ModelFileError(f"{path} is not a network saved by this course "
                             f"(not a readable .npz archive: {exc})") from None
    return arrays


def _text(array: np.ndarray | None) -> str:
    """The text in a 0-d string array, or "" if ``array`` is None or not text."""
    if array is None or array.shape != () or array.dtype.kind != "U":
        return ""
    return str(array)
