"""Tests of helpers/saving.py: a saved network comes back exactly, and a file that is not
one (missing or misshapen arrays, another program's file, not a zip, pickles, another
format version) is refused with a message that says what is wrong."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from helpers.network import NeuralNetwork
from helpers.saving import (DEFAULT_MODEL, FORMAT, FORMAT_VERSION, ModelFileError, load_network,
                            save_network)

PARAMETERS = NeuralNetwork.PARAMETERS


@pytest.fixture
def trained() -> NeuralNetwork:
    """A small network that has taken a few steps, so that no array is still at its start."""
    rng = np.random.default_rng(0)
    network = NeuralNetwork(784, 30, 10, learning_rate=0.7, seed=3)
    inputs, labels = rng.random((64, 784)), rng.integers(0, 10, 64)
    for first in range(0, 64, 16):
        network.train(inputs[first:first + 16], labels[first:first + 16])
    return network


@pytest.fixture
def saved(trained, tmp_path) -> Path:
    return save_network(trained, tmp_path / "net.npz", name="a test network")


def arrays_of(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return dict(archive)


def write(path: Path, arrays: dict) -> Path:
    np.savez(path, **arrays)
    return path


# -- the round trip ---------------------------------------------------------------------------

def test_a_saved_network_loads_back_exactly(trained, saved):
    loaded = load_network(saved)
    assert type(loaded) is NeuralNetwork
    for name in PARAMETERS:
        assert getattr(loaded, name).dtype == getattr(trained, name).dtype
        assert np.array_equal(getattr(loaded, name), getattr(trained, name)), name
    assert (loaded.input_nodes, loaded.hidden_nodes, loaded.output_nodes) == (784, 30, 10)
    assert loaded.learning_rate == trained.learning_rate
    assert loaded.name == "a test network"
    inputs = np.random.default_rng(1).random((5, 784))
    assert np.array_equal(loaded.query(inputs), trained.query(inputs))


def test_a_float64_network_stays_float64(tmp_path):
    network = NeuralNetwork(784, 3, 10, seed=1, dtype=np.float64)
    loaded = load_network(save_network(network, tmp_path / "precise.npz"))
    assert loaded.dtype == np.float64
    assert np.array_equal(loaded.w_input_hidden, network.w_input_hidden)


def test_the_file_holds_plain_arrays_with_format_version_and_architecture(saved):
    arrays = arrays_of(saved)  # allow_pickle=False: would fail on any pickled object
    assert str(arrays["format"]) == FORMAT and int(arrays["format_version"]) == FORMAT_VERSION
    assert str(arrays["kind"]) == "NeuralNetwork"
    assert {key: arrays[f"architecture/{key}"].item() for key in
            ("input_nodes", "hidden_nodes", "output_nodes")} == \
        {"input_nodes": 784, "hidden_nodes": 30, "output_nodes": 10}
    assert all(array.dtype != object for array in arrays.values())


def test_saving_replaces_a_file_whole_and_leaves_nothing_else(trained, tmp_path):
    path = tmp_path / "net.npz"
    path.write_bytes(b"an older file")
    save_network(trained, path)
    assert load_network(path).hidden_nodes == 30
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]  # no temporary file left


def test_saving_makes_missing_folders_and_wants_npz(trained, tmp_path):
    assert save_network(trained, tmp_path / "a" / "b" / "net.npz").is_file()
    with pytest.raises(ValueError, match=r"must end in \.npz"):
        save_network(trained, tmp_path / "net.pkl")


def test_the_shipped_network_loads():
    network = load_network(DEFAULT_MODEL)
    assert (network.input_nodes, network.hidden_nodes, network.output_nodes) == (784, 200, 10)
    assert network.name == "784-200-10 sigmoid network (notebook 03)"


# -- files that are not a saved network -----------------------------------------------------

def test_a_missing_file():
    with pytest.raises(FileNotFoundError, match="no network file"):
        load_network("there/is/no/such.npz")


@pytest.mark.parametrize("missing", ["parameter/b_hidden", "parameter/w_hidden_output"])
def test_a_missing_array_is_named(saved, tmp_path, missing):
    arrays = arrays_of(saved)
    del arrays[missing]
    path = write(tmp_path / "missing.npz", arrays)
    with pytest.raises(ModelFileError, match=f"missing the array {missing}") as error:
        load_network(path)
    assert str(path) in str(error.value)


def test_a_missing_architecture_is_named(saved, tmp_path):
    arrays = arrays_of(saved)
    del arrays["architecture/hidden_nodes"]
    with pytest.raises(ModelFileError, match="missing the array.*architecture/hidden_nodes"):
        load_network(write(tmp_path / "no_size.npz", arrays))


def test_a_misshapen_array_says_which_shape_was_expected(saved, tmp_path):
    arrays = arrays_of(saved)
    arrays["parameter/w_input_hidden"] = arrays["parameter/w_input_hidden"][:, :783]
    expected = r"parameter/w_input_hidden has shape \(30, 783\), expected \(30, 784\)"
    with pytest.raises(ModelFileError, match=expected):
        load_network(write(tmp_path / "misshapen.npz", arrays))


def test_an_architecture_that_does_not_match_the_weights(saved, tmp_path):
    arrays = arrays_of(saved)
    arrays["architecture/hidden_nodes"] = np.array(40)
    with pytest.raises(ModelFileError, match=r"has shape \(30, 784\), expected \(40, 784\)"):
        load_network(write(tmp_path / "wrong_size.npz", arrays))


def test_an_impossible_architecture(saved, tmp_path):
    arrays = arrays_of(saved)
    arrays["architecture/hidden_nodes"] = np.array(-3)
    with pytest.raises(ModelFileError, match="cannot build.*hidden_nodes must be a whole number"):
        load_network(write(tmp_path / "impossible.npz", arrays))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_weights_that_are_not_finite(saved, tmp_path, bad):
    arrays = arrays_of(saved)
    arrays["parameter/b_output"][3] = bad
    with pytest.raises(ModelFileError, match="parameter/b_output must hold finite"):
        load_network(write(tmp_path / "nan.npz", arrays))


def test_a_npz_from_another_program(tmp_path):
    path = write(tmp_path / "keras.npz", {"dense/kernel": np.zeros((784, 200)),
                                          "dense/bias": np.zeros(200)})
    with pytest.raises(ModelFileError, match="not saved by helpers.saving.save_network") as error:
        load_network(path)
    assert "dense/kernel" in str(error.value) and "another program" in str(error.value)


@pytest.mark.parametrize("content", [b"", b"just some text\n", b"\x93NUMPY not really"])
def test_a_file_that_is_not_a_zip_archive(tmp_path, content):
    path = tmp_path / "text.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="not a .npz file"):
        load_network(path)


def test_a_npy_file_is_not_a_npz_file(tmp_path):
    path = tmp_path / "weights.npz"
    with open(path, "wb") as file:
        np.save(file, np.zeros(3))
    with pytest.raises(ModelFileError, match="not a .npz file"):
        load_network(path)


def test_a_damaged_zip_archive(saved, tmp_path):
    data = saved.read_bytes()
    path = tmp_path / "damaged.npz"
    path.write_bytes(data[:len(data) // 2] + bytes(100) + data[len(data) // 2 + 100:])
    with pytest.raises(ModelFileError):
        load_network(path)


@pytest.mark.parametrize("version", [np.array(2), np.array(0), np.array("1"), None])
def test_another_format_version(saved, tmp_path, version):
    arrays = arrays_of(saved)
    if version is None:
        del arrays["format_version"]
    else:
        arrays["format_version"] = version
    expected = f"format version .*this course reads version {FORMAT_VERSION}"
    with pytest.raises(ModelFileError, match=expected):
        load_network(write(tmp_path / "version.npz", arrays))


def test_another_kind_of_network(saved, tmp_path):
    arrays = arrays_of(saved)
    arrays["kind"] = np.array("ConvolutionalNetwork")
    with pytest.raises(ModelFileError, match="'ConvolutionalNetwork'"):
        load_network(write(tmp_path / "kind.npz", arrays))


# -- pickles are refused without being unpickled ---------------------------------------------

UNPICKLED = []


def _record_unpickling():
    """What a booby-trapped pickle runs when it is loaded: here, harmlessly, a note."""
    UNPICKLED.append("code ran")
    return "surprise"


class Trap:
    def __reduce__(self):
        return (_record_unpickling, ())


@pytest.mark.parametrize("where", ["name", "parameter/b_output", "extra"])
def test_a_npz_with_pickles_is_refused_without_unpickling(saved, tmp_path, where):
    arrays = arrays_of(saved)
    arrays[where] = np.array([Trap()], dtype=object)
    path = tmp_path / "pickled.npz"
    np.savez(path, **arrays)  # np.savez pickles object arrays
    UNPICKLED.clear()
    with pytest.raises(ModelFileError, match="pickled Python objects") as error:
        load_network(path)
    assert repr(where) in str(error.value)
    assert UNPICKLED == []  # nothing in the file ran
    # the trap is real: loading with pickles allowed would have run it
    with np.load(path, allow_pickle=True) as archive:
        archive[where]
    assert UNPICKLED == ["code ran"]


def test_the_saved_file_is_a_plain_zip_of_npy_files(saved):
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
    assert "parameter/w_input_hidden.npy" in names and "format.npy" in names
