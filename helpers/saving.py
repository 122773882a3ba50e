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

A file handed on by someone else is checked before anything is built from it: every array's
shape and type is read from the small header in front of it (an ``.npy`` file's header),
the network it describes must read digits (784 inputs, 10 outputs) and must not be larger
than ``MAX_PARAMETERS``, and only then are the arrays read. :func:`save_network` makes the
same checks before it writes, so it never writes a file that :func:`load_network` refuses.
"""

from __future__ import annotations

import json
import math
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

#: A network reads the 28 x 28 = 784 pixels of a digit and gives one output per digit 0-9.
INPUTS, OUTPUTS = 784, 10

#: Networks with more parameters than this are refused (the largest that ships has under
#: 300,000): a file that declares a gigantic network would fill the memory when built.
MAX_PARAMETERS = 20_000_000
#: A file with more arrays than this, or more bytes of arrays, is not a saved network.
MAX_ARRAYS = 100
MAX_ARRAY_BYTES = 4 * MAX_PARAMETERS + 10 * 2**20

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
    try:  # the checks that load_network makes: never write a file that it would refuse
        _network_from(path, {key: (value.shape, value.dtype) for key, value in arrays.items()},
                      arrays.__getitem__)
    except ModelFileError as exc:
        raise ModelFileError(f"the network was not saved (the file would not load back): "
                             f"{exc}") from None
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
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path} is not a network saved by this course: it is not a "
                             ".npz file (a zip archive of NumPy arrays)")
    try:
        with zipfile.ZipFile(path) as archive:
            headers = _array_headers(path, archive)
            return _network_from(path, headers, lambda key: _read_array(path, archive, key))
    except ModelFileError:
        raise
    except Exception as exc:  # whatever a damaged archive makes zipfile or NumPy raise
        raise ModelFileError(f"{path} is not a network saved by this course (not a readable "
                             f".npz archive: {type(exc).__name__}: {exc})") from None


Header = tuple[tuple[int, ...], np.dtype]  # an array's shape and type, as its header says


def _network_from(path: Path, headers: dict[str, Header], read):
    """The network that the arrays described by ``headers`` make, checked.

    ``read(key)`` gives the array ``key``; it is called only for small arrays until the
    network's architecture and every parameter's shape and type have been checked.
    """
    def text(key: str) -> str:
        shape, dtype = headers.get(key, (None, None))
        return _text(read(key)) if shape == () and dtype.kind == "U" else ""

    if text("format") != FORMAT:
        raise ModelFileError(
            f"{path} was not saved by helpers.saving.save_network: it holds the arrays "
            f"{sorted(headers)[:8]} but not format = '{FORMAT}'. A file from another program "
            "cannot be loaded here; train a network in notebook 03 and save it.")
    shape, dtype = headers.get("format_version", (None, None))
    version = read("format_version") if shape == () and dtype.kind in "iuU" else None
    if version is None or version.dtype.kind not in "iu" or int(version) != FORMAT_VERSION:
        shown = "none" if version is None else version.tolist()
        raise ModelFileError(f"{path} has format version {shown}; this course reads version "
                             f"{FORMAT_VERSION}. If the file is newer than your copy of the "
                             "course, update the course (git pull).")
    kind = text("kind")
    if kind not in KINDS:
        raise ModelFileError(f"{path} holds a {kind!r}; this course knows {sorted(KINDS)}")
    dtype = _stored_dtype(headers)
    if kind == "Sequential":
        network, built_from = _build_sequential(path, text("config"), dtype)
    else:
        network, built_from = _build_neural_network(path, headers, read, dtype)
    expected_names = {f"parameter/{key}" for key in network.parameters()}
    unknown = sorted(key for key in headers
                     if key.startswith("parameter/") and key not in expected_names)
    if unknown:
        raise ModelFileError(f"{path} holds {', '.join(unknown)}, which the network it describes "
                             f"({built_from}) does not have")
    for key, expected in network.parameters().items():
        _check_parameter(path, f"parameter/{key}", headers, expected.shape, built_from)
    for key, expected in network.parameters().items():
        stored = read(f"parameter/{key}")
        if not np.isfinite(stored).all():
            raise ModelFileError(f"{path}: parameter/{key} must hold finite floating-point "
                                 "numbers, but it has NaN or infinite values")
        expected[...] = stored
    network.name = text("name")
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


def _check_parameter(path: Path, key: str, headers: dict[str, Header], shape: tuple,
                     built_from) -> None:
    """Refuse a parameter that is missing, misshapen or not of floats, from its header."""
    if key not in headers:
        raise ModelFileError(f"{path} is missing the array {key}")
    stored_shape, stored_dtype = headers[key]
    if tuple(stored_shape) != tuple(shape):
        raise ModelFileError(f"{path}: {key} has shape {tuple(stored_shape)}, expected "
                             f"{tuple(shape)} for the architecture {built_from}")
    if stored_dtype not in (np.float32, np.float64):
        raise ModelFileError(f"{path}: {key} must hold finite floating-point numbers "
                             f"(float32 or float64), not {stored_dtype} values")


def _refuse_unreadable(path: Path, inputs, outputs) -> None:
    """Refuse a network that does not read a digit's 784 pixels into 10 outputs."""
    if inputs != INPUTS or outputs != OUTPUTS:
        raise ModelFileError(
            f"{path} is a network of {inputs} inputs and {outputs} outputs; this course reads "
            f"digits with networks of {INPUTS} inputs (the 28 x 28 pixels) and {OUTPUTS} "
            "outputs (one per digit 0-9), so it cannot use this one.")


def _refuse_too_large(path: Path, parameters: int, built_from) -> None:
    if parameters > MAX_PARAMETERS:
        raise ModelFileError(f"{path} describes a network of {parameters:,} parameters "
                             f"({built_from}), more than the {MAX_PARAMETERS:,} this course "
                             "builds: it would fill the memory. It is not a network from "
                             "this course.")


def _stored_dtype(headers: dict[str, Header]) -> np.dtype:
    """The float type of the stored parameters: that of the first (float32 if not a float)."""
    for key, (_, dtype) in sorted(headers.items()):
        if key.startswith("parameter/") and dtype in (np.float32, np.float64):
            return dtype
    return np.dtype(np.float32)


def _build_neural_network(path: Path, headers: dict[str, Header], read, dtype: np.dtype):
    """A NeuralNetwork of the file's architecture, untrained, and that architecture.

    Its size is checked, and the shapes of the stored weights against it, before it is built."""
    missing = [key for key in ARCHITECTURE_KEYS if f"architecture/{key}" not in headers]
    if missing:
        raise ModelFileError(f"{path} is missing the array(s) "
                             f"{', '.join('architecture/' + key for key in missing)}")
    settings = {}
    for key in ARCHITECTURE_KEYS:
        shape, kind = headers[f"architecture/{key}"][0], headers[f"architecture/{key}"][1].kind
        value = read(f"architecture/{key}").item() if shape == () and kind in "iuf" else None
        whole = isinstance(value, int) and value >= 1
        if key != "learning_rate" and not whole:
            raise ModelFileError(f"{path} has an architecture this course cannot build: "
                                 f"{key} must be a whole number of at least 1, not {value!r}")
        settings[key] = value
    _refuse_unreadable(path, settings["input_nodes"], settings["output_nodes"])
    inputs, hidden, outputs = (settings[key] for key in ARCHITECTURE_KEYS[:3])
    _refuse_too_large(path, hidden * (inputs + outputs + 1) + outputs, settings)
    shapes = {"w_input_hidden": (hidden, inputs), "b_hidden": (hidden,),
              "w_hidden_output": (outputs, hidden), "b_output": (outputs,)}
    for key in NeuralNetwork.PARAMETERS:  # before the network is built, from the headers
        _check_parameter(path, f"parameter/{key}", headers, shapes[key], settings)
    try:
        network = NeuralNetwork(**settings, seed=None, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path} has an architecture this course cannot build: "
                             f"{settings} ({exc})") from None
    return network, settings


def _build_sequential(path: Path, text: str, dtype: np.dtype):
    """A Sequential network of the file's ``config``, untrained, and a short description.

    No layer is built that could hold more than ``MAX_PARAMETERS`` parameters. Its
    parameters get the float type ``dtype`` (float32 or float64)."""
    try:
        config = json.loads(text)
        layer_configs, loss_name = list(config["layers"]), config["loss"]
        optimizer_config, input_nodes = dict(config["optimizer"]), config["input_nodes"]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(
            f"{path} holds a Sequential network but no readable config: the array 'config' must "
            "be the JSON text of network.config(), with input_nodes, loss, optimizer and layers "
            f"({type(exc).__name__}: {exc})") from None
    if input_nodes != INPUTS:
        _refuse_unreadable(path, input_nodes, "some")
    layers, most = [], 0
    for number, layer_config in enumerate(layer_configs):
        arguments = dict(layer_config) if isinstance(layer_config, dict) else {}
        most += _most_parameters(arguments)
        _refuse_too_large(path, most, f"up to layer {number}, {arguments}")
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
    for layer in layers:
        layer.parameters = {key: value.astype(dtype) for key, value in layer.parameters.items()}
    description = " -> ".join(repr(layer) for layer in layers)
    try:  # one blank digit through the untrained network: its layers fit, and it gives 10
        outputs = np.shape(network.query(np.zeros(INPUTS, dtype=dtype)))
    except Exception as exc:  # layers that do not fit each other fail in many ways
        raise ModelFileError(f"{path}: the layers of its network do not fit together "
                             f"({description}: {type(exc).__name__}: {exc})") from None
    _refuse_unreadable(path, input_nodes, outputs[0] if len(outputs) == 1 else outputs)
    return network, description


def _most_parameters(arguments: dict) -> int:
    """At most how many parameters a layer built from ``arguments`` can hold.

    The product of its whole-number arguments (sizes, channels, filters; the seed is not a
    size), with a kernel's size counted twice (a square kernel): a Dense layer of 784
    inputs and 200 outputs has 784 x 200 weights and 200 biases, under 2 x 784 x 200.
    """
    sizes = [value for key, value in arguments.items()
             if isinstance(value, int) and not isinstance(value, bool) and key != "seed"]
    sizes += [value for key, value in arguments.items() if key == "kernel_size"
              and isinstance(value, int) and not isinstance(value, bool)]
    return 2 * math.prod(max(size, 1) for size in sizes)


def _array_headers(path: Path, archive: zipfile.ZipFile) -> dict[str, Header]:
    """The shape and type of every array in the ``.npz`` archive, from the arrays' headers.

    Nothing but the headers is read. Members that are not ``.npy`` arrays, arrays of
    Python objects (which only unpickling could read) and more or larger arrays than a
    network of ``MAX_PARAMETERS`` needs are refused."""
    members = archive.infolist()
    if len(members) > MAX_ARRAYS or sum(member.file_size for member in members) > MAX_ARRAY_BYTES:
        raise ModelFileError(f"{path} holds {len(members)} files of "
                             f"{sum(member.file_size for member in members):,} bytes unpacked, "
                             "far more than a network saved by this course")
    headers = {}
    for member in members:
        if not member.filename.endswith(".npy"):
            raise ModelFileError(f"{path} holds {member.filename!r}, which is not a NumPy "
                                 "array (.npy): it is not a network saved by this course")
        key = member.filename[:-len(".npy")]
        with archive.open(member) as file:
            version = np.lib.format.read_magic(file)
            if version not in ((1, 0), (2, 0)):
                raise ModelFileError(f"{path}: the array {key!r} is in .npy format version "
                                     f"{version}, which a saved network never uses")
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read_header(file)
        if dtype.hasobject:
            raise ModelFileError(
                f"{path}: the array {key!r} holds pickled Python objects, which this "
                "course never loads (unpickling a file can run any code in it). A "
                "network saved by save_network has only numbers and text.")
        if math.prod(shape) * dtype.itemsize > member.file_size:
            raise ModelFileError(f"{path}: the array {key!r} declares a shape {shape} of "
                                 f"{dtype}, more than the {member.file_size:,} bytes it holds")
        headers[key] = (tuple(shape), dtype)
    return headers


def _read_array(path: Path, archive: zipfile.ZipFile, key: str) -> np.ndarray:
    """The array ``key`` of the archive (its header was checked by _array_headers)."""
    with archive.open(f"{key}.npy") as file:
        return np.lib.format.read_array(file, allow_pickle=False)


def _text(array: np.ndarray | None) -> str:
    """The text in a 0-d string array, or "" if ``array`` is None or not text."""
    if array is None or array.shape != () or array.dtype.kind != "U":
        return ""
    return str(array)
