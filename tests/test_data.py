"""Tests of helpers/data.py: the shipped MNIST files, and clear errors on bad ones."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.data import COLUMNS, DATA_DIR, load_mnist, mnist_path, read_mnist_csv

# Known figures, from the data's README.
LABEL_COUNTS = {
    "train": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    "test": [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
}
FIRST_LABELS = {
    "train": [5, 0, 4, 1, 9, 2, 1, 3, 1, 4],
    "test": [7, 2, 1, 0, 4, 1, 4, 9, 5, 9],
}
SIZES = {"train": 60_000, "test": 10_000}
MEAN_TRAIN_PIXEL = 33.318  # rounded to 3 decimals


# --- the shipped files ---------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """load_mnist of each split."""
    return {split: load_mnist(split) for split in ("train", "test")}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """read_mnist_csv of each split."""
    return {split: read_mnist_csv(mnist_path(split)) for split in ("train", "test")}


@pytest.mark.parametrize("split", ["train", "test"])
def test_load_mnist_shapes_and_dtypes(loaded, split):
    inputs, labels = loaded[split]
    assert inputs.shape == (SIZES[split], 784)
    assert inputs.dtype == np.float32
    assert labels.shape == (SIZES[split],)
    assert labels.dtype == np.int64


@pytest.mark.parametrize("split", ["train", "test"])
def test_each_image_lies_in_one_row_of_memory(loaded, split):
    # a batch, inputs[batch], then copies whole rows (pandas gives the table column by column)
    inputs, _ = loaded[split]
    assert inputs.flags.c_contiguous


@pytest.mark.parametrize("split", ["train", "test"])
def test_inputs_are_scaled_to_0_01_to_1(loaded, split):
    inputs, _ = loaded[split]
    assert inputs.min() == pytest.approx(0.01)
    assert inputs.max() == pytest.approx(1.0)
    # pixel 0 becomes 0.01 exactly (in float32); the other 255 values lie above it
    assert np.float32(0.01) in inputs
    assert np.all(inputs >= np.float32(0.01))
    assert np.all(inputs <= np.float32(1.0) + 1e-6)


@pytest.mark.parametrize("split", ["train", "test"])
def test_label_counts_match_known_figures(loaded, split):
    _, labels = loaded[split]
    assert np.bincount(labels, minlength=10).tolist() == LABEL_COUNTS[split]


@pytest.mark.parametrize("split", ["train", "test"])
def test_first_ten_labels(loaded, frames, split):
    _, labels = loaded[split]
    assert labels[:10].tolist() == FIRST_LABELS[split]
    assert frames[split]["label"].iloc[:10].tolist() == FIRST_LABELS[split]


def test_mean_train_pixel(loaded, frames):
    pixels = frames["train"].iloc[:, 1:].to_numpy()
    assert pixels.mean(dtype=np.float64) == pytest.approx(MEAN_TRAIN_PIXEL, abs=0.0005)
    # the same figure from the scaled inputs: undo the scaling 0..255 -> 0.01..1.0
    inputs, _ = loaded["train"]
    fraction = (inputs.mean(dtype=np.float64) - 0.01) / 0.99
    assert fraction == pytest.approx(0.13066, abs=0.000005)


@pytest.mark.parametrize("split", ["train", "test"])
def test_frame_columns_and_dtypes(frames, split):
    frame = frames[split]
    assert frame.shape == (SIZES[split], 785)
    assert list(frame.columns) == ["label"] + [f"px{i}" for i in range(784)]
    assert (frame.dtypes == np.uint8).all()


@pytest.mark.parametrize("split", ["train", "test"])
def test_load_mnist_agrees_with_the_frame(loaded, frames, split):
    inputs, labels = loaded[split]
    frame = frames[split]
    assert np.array_equal(labels, frame["label"].to_numpy())
    pixels = frame.iloc[:500, 1:].to_numpy().astype(np.float64)
    np.testing.assert_allclose(inputs[:500], 0.01 + 0.99 * pixels / 255, rtol=1e-6)


def test_load_mnist_reads_a_good_file_in_one_pass_without_the_row_by_row_scan(monkeypatch):
    """A good file goes through pandas' fast reader once, as uint8; the slow scan, which
    finds the bad row in a broken file, never runs. (How fast that is on this machine:
    benchmarks/answer_speed.py.)"""
    from helpers import data

    def no_scan(*args, **kwargs):
        raise AssertionError("load_mnist scanned a good file row by row")

    reads = []
    original = data.pd.read_csv
    monkeypatch.setattr(data, "_raise_for_bad_row", no_scan)
    monkeypatch.setattr(data.pd, "read_csv", lambda *a, **k: reads.append(k) or original(*a, **k))
    inputs, labels = load_mnist("test")
    assert len(labels) == SIZES["test"] and inputs.dtype == np.float32
    assert [read.get("dtype") for read in reads] == ["uint8"]


@pytest.mark.parametrize(
    "small_file, split, rows",
    [("mnist_train_100.csv", "train", 100), ("mnist_test_10.csv", "test", 10)],
)
def test_small_files_are_the_first_rows(frames, small_file, split, rows):
    small = read_mnist_csv(DATA_DIR / small_file)
    assert small.shape == (rows, 785)
    pd.testing.assert_frame_equal(small, frames[split].iloc[:rows])


# --- bad and good files written here ---------------------------------------------------


def good_row(label: int = 1, pixels: list[int] | None = None) -> list[str]:
    """A valid MNIST row as text: label then 784 pixels."""
    pixels = pixels if pixels is not None else [(label * 7 + i) % 256 for i in range(784)]
    return [str(label)] + [str(p) for p in pixels]


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    """Write rows as CSV text, gzip-compressed if the name ends in .gz."""
    text = "".join(",".join(row) + "\n" for row in rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def with_value(column: int, text: str) -> list[str]:
    """A good row with the value in ``column`` (0 is the label) replaced by ``text``."""
    row = good_row(3)
    row[column] = text
    return row


BAD_THIRD_ROWS = {
    "784 values": (good_row(3)[:-1], "has 784 values, expected 785"),
    "786 values": (good_row(3) + ["0"], "has 786 values, expected 785"),
    "not a whole number": (with_value(101, "1.5"), "'1.5' as pixel 100, expected a whole number"),
    "not a number": (with_value(101, "x"), "'x' as pixel 100, expected a whole number"),
    "pixel 256": (with_value(101, "256"), "256 as pixel 100, expected 0-255"),
    "negative pixel": (with_value(784, "-1"), "-1 as pixel 783, expected 0-255"),
    "label 10": (with_value(0, "10"), "label 10, expected a digit 0-9"),
}


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
@pytest.mark.parametrize("case", BAD_THIRD_ROWS)
def test_bad_row_names_file_and_row(tmp_path, case, suffix):
    bad_row, problem = BAD_THIRD_ROWS[case]
    path = write_rows(tmp_path / f"bad{suffix}", [good_row(1), good_row(2), bad_row, good_row(4)])
    with pytest.raises(ValueError) as error:
        read_mnist_csv(path)
    message = str(error.value)
    assert path.name in message
    assert re.search(r"\brow 3\b", message), message
    assert problem in message


def test_bad_first_row_is_row_1(tmp_path):
    path = write_rows(tmp_path / "short.csv", [good_row(1)[:-1]])
    with pytest.raises(ValueError, match=r"short\.csv row 1 has 784 values"):
        read_mnist_csv(path)


def test_missing_file_says_where_and_how_to_get_it(tmp_path):
    path = tmp_path / "mnist_train.csv.gz"
    with pytest.raises(FileNotFoundError) as error:
        read_mnist_csv(path)
    assert str(path) in str(error.value)
    assert "download=True" in str(error.value)


def test_load_mnist_without_download_does_not_fetch(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "mnist_test.csv.gz"))):
        load_mnist("test", data_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unknown_split():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_mnist("validation")


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_good_small_file_reads_right(tmp_path, suffix):
    pixels = [[0] * 784, [255] * 784, [i % 256 for i in range(784)]]
    labels = [7, 0, 9]
    path = write_rows(tmp_path / f"good{suffix}", [good_row(l, p) for l, p in zip(labels, pixels)])
    frame = read_mnist_csv(path)
    assert list(frame.columns) == COLUMNS
    assert (frame.dtypes == np.uint8).all()
    assert frame["label"].tolist() == labels
    assert frame.iloc[:, 1:].to_numpy().tolist() == pixels


def test_load_mnist_scales_a_small_file(tmp_path):
    pixels = [0, 51, 255] + [0] * 781
    write_rows(tmp_path / "mnist_test.csv.gz", [good_row(6, pixels), good_row(2, [255] * 784)])
    inputs, labels = load_mnist("test", data_dir=tmp_path)
    assert labels.tolist() == [6, 2]
    assert labels.dtype == np.int64
    assert inputs.dtype == np.float32
    np.testing.assert_allclose(inputs[0, :3], [0.01, 0.01 + 0.99 * 0.2, 1.0], rtol=1e-6)
    np.testing.assert_allclose(inputs[1], 1.0, rtol=1e-6)
