"""Reading MNIST from CSV files.

Each row of an MNIST CSV file is one handwritten digit: the label (0-9) followed by the
784 pixels of its 28 x 28 image, row by row, each 0 (background) to 255 (ink). There is
no header row.

The course reads these files with pandas (:func:`read_mnist_csv`) and turns them into
what the network eats (:func:`load_mnist`): inputs scaled to 0.01..1.0 and integer labels.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

#: The folder that holds the course's data files (``data/`` at the top of the repository).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: The file of each split, inside ``DATA_DIR``.
FILES = {"train": "mnist_train.csv.gz", "test": "mnist_test.csv.gz"}

IMAGE_SIDE = 28
PIXELS = IMAGE_SIDE * IMAGE_SIDE  # 784
COLUMNS = ["label"] + [f"px{i}" for i in range(PIXELS)]
#: The network's input for a background (paper) pixel, ``scale_pixels(0)``; ink goes up to 1.0.
BACKGROUND = 0.01


def mnist_path(split: str, data_dir: str | Path | None = None) -> Path:
    """The path of the CSV file of ``split`` ("train" or "test")."""
    if split not in FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    return Path(data_dir or DATA_DIR) / FILES[split]


def read_mnist_csv(path: str | Path) -> pd.DataFrame:
    """Read an MNIST CSV file (plain or ``.gz``) into a DataFrame.

    Returns
    -------
    DataFrame with one row per image and the columns ``label``, ``px0`` ... ``px783``,
    all ``uint8``.

    Raises
    ------
    FileNotFoundError
        if the file is not there (the message says how to get it).
    ValueError
        if a row is not a label 0-9 followed by 784 pixels 0-255; the message names the
        file and the row (rows are counted from 1, as an editor shows them).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found. The course ships it in data/: run from a clone of the "
            "repository, or fetch MNIST from the internet with "
            "load_mnist(split, download=True) or helpers.download.download_mnist()."
        )
    try:
        frame = pd.read_csv(path, header=None, dtype="uint8")
    except Exception as exc:  # the fast path failed: find the row that made it fail
        _raise_for_bad_row(path, cause=exc)
        raise ValueError(f"{path} could not be read as MNIST CSV: {exc}") from exc
    if frame.shape[1] != len(COLUMNS):
        _raise_for_bad_row(path)
    frame.columns = COLUMNS
    bad_labels = np.flatnonzero(frame["label"].to_numpy() > 9)
    if bad_labels.size:
        row = bad_labels[0] + 1
        raise ValueError(
            f"{path.name} row {row} has label {frame['label'].iloc[row - 1]}, expected a digit 0-9"
        )
    return frame


def _raise_for_bad_row(path: Path, cause: Exception | None = None) -> None:
    """Scan ``path`` row by row and raise a ValueError that names the first bad row.

    This is the slow path, run only when the fast pandas read has failed, so that the
    learner reads which row is wrong rather than a traceback from inside pandas.
    """
    if path.suffix == ".gz":
        _check_gzip(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", newline="") as file:
            for row_number, row in enumerate(csv.reader(file), start=1):
                problem = _row_problem(row)
                if problem:
                    raise ValueError(f"{path.name} row {row_number} {problem}") from cause
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a readable CSV file ({exc})") from exc


def _check_gzip(path: Path) -> None:
    """Raise a ValueError if the gzip file ``path`` is damaged or cut short.

    A damaged compressed file unpacks to garbage before gzip's checksum, at its end, finds
    the damage: so the whole file is unpacked (a piece at a time, keeping nothing) before
    its rows are blamed for anything."""
    try:
        with gzip.open(path, "rb") as file:
            while file.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(
            f"{path} is damaged: it is a gzip file that does not unpack whole ({exc}). "
            "Download it again, or copy it from the data/ folder of the course's repository."
        ) from None


def _row_problem(row: list[str]) -> str | None:
    """What is wrong with one CSV row, in words, or None if it is a good MNIST row."""
    if len(row) != len(COLUMNS):
        return f"has {len(row)} values, expected {len(COLUMNS)} (label + {PIXELS} pixels)"
    for column, text in enumerate(row):
        name = "the label" if column == 0 else f"pixel {column - 1}"
        try:
            value = int(text)
        except ValueError:
            return f"has {text.strip()!r} as {name}, expected a whole number"
        if column == 0 and not 0 <= value <= 9:
            return f"has label {value}, expected a digit 0-9"
        if column > 0 and not 0 <= value <= 255:
            return f"has {value} as {name}, expected 0-255"
    return None


def scale_pixels(pixels: np.ndarray) -> np.ndarray:
    """Scale pixels 0..255 to inputs 0.01..1.0 (float32).

    Inputs of exactly 0 would stop the weights they feed from learning (the weight
    update is proportional to the input), so the smallest input is 0.01, not 0.
    """
    return np.asarray(pixels, dtype=np.float32) * np.float32(0.99 / 255) + np.float32(BACKGROUND)


def unscale_pixels(inputs: np.ndarray) -> np.ndarray:
    """The inverse of :func:`scale_pixels`: inputs 0.01..1.0 back to pixels 0..255 (float32).

    Values outside 0.01..1.0 (an augmented image's rounding, say) are clipped into it first,
    so the pixels always lie in 0..255."""
    inputs = np.clip(np.asarray(inputs, dtype=np.float32), np.float32(BACKGROUND), np.float32(1))
    return (inputs - np.float32(BACKGROUND)) * np.float32(255 / 0.99)


def load_mnist(
    split: str, data_dir: str | Path | None = None, *, download: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Load the "train" (60,000 images) or "test" (10,000 images) split.

    With ``download=True``, a split whose file is missing is first downloaded from the
    internet (:func:`helpers.download.download_mnist`).

    Returns
    -------
    inputs : float32 array, shape (n, 784), scaled to 0.01..1.0
    labels : int64 array, shape (n,), digits 0-9
    """
    path = mnist_path(split, data_dir)
    if download and not path.is_file():
        from helpers.download import download_mnist  # only needed, and imported, here

        download_mnist(data_dir, splits=[split])
    frame = read_mnist_csv(path)
    values = frame.to_numpy()
    # pandas keeps a table column by column, so ``values`` is laid out pixel by pixel in
    # memory; one image per row makes a batch (train_inputs[batch]) a few contiguous rows
    # to copy instead of 784 scattered values per image, several times faster to gather
    pixels = np.ascontiguousarray(values[:, 1:])
    return scale_pixels(pixels), values[:, 0].astype(np.int64)
