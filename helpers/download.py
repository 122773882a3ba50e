"""Downloading MNIST, for a notebook opened without the course's data files.

The course ships MNIST as CSV in ``data/``. A notebook opened on its own (on Colab, say)
does not have that folder, so :func:`download_mnist` fetches the four original MNIST files
from a public mirror and converts them to the same CSV files::

    from helpers.download import download_mnist
    download_mnist()             # or: load_mnist("train", download=True)

The original files are in the IDX format: a few bytes that say what the file holds
(the "magic number" and the size of each dimension), then the values, one byte each.
Every downloaded file is checked against its published MD5 checksum before it is used,
and nothing is written until all of them have arrived intact.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import socket
import threading
import urllib.error
import urllib.request
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from helpers.data import IMAGE_SIDE, PIXELS, mnist_path
from helpers.files import atomic_write

#: Public mirrors of the original MNIST files, tried in this order. The site of the
#: original publication no longer serves them reliably.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",  # PyTorch's copy (torchvision)
    "https://storage.googleapis.com/cvdf-datasets/mnist/",  # the CVDF copy (TensorFlow)
)

#: The two original files of each split: images, then labels.
IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

#: The MD5 checksum of each original file, gzip-compressed as the mirrors serve it.
CHECKSUMS = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

#: The magic numbers that start an IDX file: 0x08 says the values are unsigned bytes,
#: the last byte is the number of dimensions (images: count x rows x columns).
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

#: gzip level of the CSV files written. 6 takes about 2 s for the training file; 9 gives
#: files 4 % smaller (the ones in ``data/``) but takes about 12 s.
COMPRESSLEVEL = 6

_CHUNK_BYTES = 64 * 1024  # read the download in pieces of this size
_ROWS_PER_CHUNK = 5000  # convert this many images to text at a time
_USER_AGENT = "digits-by-hand (MNIST download for a course)"


class DownloadError(RuntimeError):
    """Raised when a file could not be fetched intact from any mirror."""


def download_mnist(
    data_dir: str | Path | None = None,
    mirrors: Sequence[str] | None = None,
    progress: bool = True,
    *,
    splits: Sequence[str] = ("train", "test"),
    checksums: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    deadline: float = 600.0,
) -> dict[str, Path]:
    """Download MNIST and write it as the course's CSV files.

    Splits whose CSV file is already in ``data_dir`` are skipped. Nothing is written
    until every file needed has been downloaded and checked, and each CSV file is written
    under a temporary name and renamed when complete, so a failure leaves nothing behind.

    Parameters
    ----------
    data_dir : the folder to write ``mnist_train.csv.gz`` and ``mnist_test.csv.gz`` to
        (default: the course's ``data/`` folder)
    mirrors : base URLs to try in turn (default: :data:`MIRRORS`)
    progress : show progress bars
    splits : which splits to make, "train" and/or "test"
    checksums : the MD5 of each file (default: :data:`CHECKSUMS`)
    timeout : seconds to wait for a mirror to answer (to connect, or to send more of a
        file) before trying the next one
    deadline : seconds that one file may take to download from one mirror, all of it: a
        mirror that sends a file too slowly to finish (a byte a second, say) is given up
        then, and the next one is tried

    Returns
    -------
    The path of the CSV file of each split.

    Raises
    ------
    DownloadError
        if a file could not be fetched intact from any mirror.
    ValueError
        if a file arrived intact but is not what MNIST should be, or an argument is wrong.
    """
    mirrors = MIRRORS if mirrors is None else mirrors
    _check_arguments(mirrors, timeout, deadline)
    if isinstance(splits, str) or not all(split in IDX_FILES for split in splits):
        raise ValueError(f"splits must be a list of 'train' and/or 'test', such as "
                         f"['train', 'test'], not {splits!r}")
    checksums = CHECKSUMS if checksums is None else checksums
    targets = {split: mnist_path(split, data_dir) for split in splits}
    missing = [split for split, target in targets.items() if not target.is_file()]
    if missing and not mirrors:
        raise ValueError("mirrors is empty: give at least one URL to download MNIST from")

    # First fetch and check everything, then write: a failure halfway writes nothing.
    try:
        downloads = {
            name: fetch(name, mirrors, checksums[name], progress=progress, timeout=timeout,
                        deadline=deadline)
            for split in missing
            for name in IDX_FILES[split]
        }
    except DownloadError as exc:
        folder = targets[missing[0]].parent
        raise DownloadError(f"{exc} Your data folder is {folder}") from None
    splits_read = {split: _read_split(downloads, *IDX_FILES[split]) for split in missing}
    for split, (labels, pixels) in splits_read.items():
        write_mnist_csv(targets[split], labels, pixels, progress)
    return targets


def fetch(
    name: str,
    mirrors: Sequence[str],
    md5: str,
    progress: bool = True,
    timeout: float = 30.0,
    deadline: float = 600.0,
) -> bytes:
    """Download the file ``name`` from the first mirror that serves it intact.

    ``timeout`` is how long one read may wait, ``deadline`` how long the whole file may
    take from one mirror (both in seconds).

    Raises
    ------
    DownloadError
        naming the file, each mirror tried and what went wrong there.
    """
    _check_arguments(mirrors, timeout, deadline)
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            data = _download(url, name, progress, timeout, deadline)
        except (OSError, http.client.HTTPException) as exc:  # includes URLError, timeouts
            failures.append(f"{url}: {_describe(exc)}")
            continue
        found = hashlib.md5(data, usedforsecurity=False).hexdigest()
        if found == md5:
            return data
        failures.append(
            f"{url}: wrong checksum (MD5 {found}, expected {md5}), "
            "the file is damaged or is not the original"
        )
    tried = "\n".join(f"  - {failure}" for failure in failures)
    raise DownloadError(
        f"Could not download {name} intact. The mirrors tried said:\n{tried}\n"
        "Nothing was written. Check that this computer can reach the internet and try "
        "again (files already converted are kept); pass other mirrors with "
        "download_mnist(mirrors=[...]); or copy mnist_train.csv.gz and mnist_test.csv.gz "
        "from the data/ folder of the course's repository into your data folder."
    )


def _check_arguments(mirrors, timeout, deadline) -> None:
    """Refuse mirrors that are not a list of web addresses, and times that are not > 0."""
    if isinstance(mirrors, (str, bytes)) or not all(
            isinstance(mirror, str) and mirror.startswith(("http://", "https://"))
            for mirror in mirrors):
        raise ValueError(f"mirrors must be a list of web addresses (http:// or https://), "
                         f"such as ['{MIRRORS[0]}'], not {mirrors!r}")
    for label, value in (("timeout", timeout), ("deadline", deadline)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{label} must be a number of seconds greater than 0, "
                             f"not {value!r}")


def _download(url: str, name: str, progress: bool, timeout: float, deadline: float) -> bytes:
    """The body of ``url``, all of it, or an error if the connection drops early or the
    download takes longer than ``deadline`` seconds."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    chunks = []
    with _Deadline(deadline) as clock:
        try:
            with clock.opener().open(request, timeout=timeout) as response:
                expected = response.length  # from Content-Length, None if not said
                with tqdm(
                    total=expected, desc=name, unit="B", unit_scale=True, unit_divisor=1024,
                    disable=not progress,
                ) as bar:
                    while chunk := response.read(_CHUNK_BYTES):
                        chunks.append(chunk)
                        bar.update(len(chunk))
        except Exception:
            if clock.expired:
                raise clock.error() from None
            raise
        if clock.expired:
            raise clock.error()
    data = b"".join(chunks)
    if expected is not None and len(data) < expected:
        raise ConnectionError(
            f"the connection dropped after {len(data):,} of {expected:,} bytes"
        )
    return data


class _Deadline:
    """Cuts the connections of a download that is not over after ``seconds``.

    A timeout on each read is not enough: a server that sends one byte a second never
    lets a read wait long. So a timer shuts the connection's socket when the time is up,
    which ends any read under way, and the download reports that it took too long.
    """

    def __init__(self, seconds: float):
        self.seconds, self.expired, self._sockets = seconds, False, []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()

    def error(self) -> TimeoutError:
        return TimeoutError(f"the download took longer than its deadline of "
                            f"{self.seconds:g} s, so it was given up")

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def _watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def opener(self) -> urllib.request.OpenerDirector:
        """A urllib opener whose connections this deadline watches."""
        watch = self._watch

        class Connection(http.client.HTTPConnection):
            def connect(self):
                super().connect()
                watch(self.sock)

        class SecureConnection(http.client.HTTPSConnection):
            def connect(self):
                super().connect()
                watch(self.sock)

        class Handler(urllib.request.HTTPHandler):
            def http_open(self, req):
                return self.do_open(Connection, req)

        class SecureHandler(urllib.request.HTTPSHandler):
            def https_open(self, req):
                return self.do_open(SecureConnection, req, context=self._context)

        return urllib.request.build_opener(Handler, SecureHandler)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def _describe(exc: BaseException) -> str:
    """What went wrong with a download, in a few words."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP error {exc.code} ({exc.reason})"
    if isinstance(exc, urllib.error.URLError):
        return f"could not connect ({exc.reason})"
    if isinstance(exc, http.client.IncompleteRead):
        return f"the connection dropped after {len(exc.partial):,} bytes"
    return str(exc) or type(exc).__name__


def _gunzip(data: bytes, name: str) -> bytes:
    """Decompress the gzip file ``name``."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{name} is not a readable gzip file ({exc})") from exc


def parse_idx(data: bytes, name: str, magic: int) -> np.ndarray:
    """Read an IDX file of unsigned bytes into an array.

    An IDX file starts with its magic number (4 bytes), then the size of each dimension
    (4 bytes each, most significant byte first), then the values, one byte each, row by
    row.

    Parameters
    ----------
    data : the uncompressed file
    name : the file's name, for error messages
    magic : the magic number expected, :data:`IMAGES_MAGIC` or :data:`LABELS_MAGIC`

    Returns
    -------
    uint8 array with the file's dimensions (a view of ``data``, read-only).

    Raises
    ------
    ValueError
        if the magic number is not the one expected or the file's length does not match
        its dimensions.
    """
    found = int.from_bytes(data[:4], "big")
    if len(data) < 4 or found != magic:
        raise ValueError(
            f"{name} is not the IDX file expected: it starts with 0x{data[:4].hex()}, "
            f"expected the magic number 0x{magic:08x}"
        )
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name} is cut short: {len(data)} bytes, not even a whole header")
    shape = tuple(
        int.from_bytes(data[start : start + 4], "big") for start in range(4, header, 4)
    )
    size = int(np.prod(shape))
    if len(data) - header != size:
        raise ValueError(
            f"{name} has {len(data) - header:,} bytes of values, but its dimensions "
            f"{' x '.join(map(str, shape))} need {size:,}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def _read_split(
    downloads: Mapping[str, bytes], images_name: str, labels_name: str
) -> tuple[np.ndarray, np.ndarray]:
    """The labels, shape (n,), and pixels, shape (n, 784), of one split's two files.

    Raises a ValueError unless they make a split of MNIST: n images of 28 x 28 pixels and
    n labels 0-9.
    """
    images = parse_idx(_gunzip(downloads[images_name], images_name), images_name, IMAGES_MAGIC)
    labels = parse_idx(_gunzip(downloads[labels_name], labels_name), labels_name, LABELS_MAGIC)
    if images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(
            f"{images_name} holds images of {images.shape[1]} x {images.shape[2]} pixels, "
            f"expected {IMAGE_SIDE} x {IMAGE_SIDE}"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"{images_name} has {len(images):,} images but {labels_name} has "
            f"{len(labels):,} labels"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_name} has a label {labels.max()}, expected digits 0-9")
    return labels, images.reshape(len(images), PIXELS)


def _cell_table(end: str) -> np.ndarray:
    """The text of each value 0-255 followed by ``end``, as bytes padded with zeros.

    Row ``v`` of the table is the text of ``v``: ``table[np.uint8(42)]`` is
    ``[52, 50, 44, 0]``, that is ``b"42,"`` and one byte of padding.
    """
    table = np.zeros((256, 4), dtype=np.uint8)
    for value in range(256):
        text = f"{value}{end}".encode()
        table[value, : len(text)] = list(text)
    return table


_CELLS = _cell_table(",")  # every value but the last of a row
_LAST_CELLS = _cell_table("\n")  # the last value of a row


def csv_rows(labels: np.ndarray, pixels: np.ndarray) -> bytes:
    """The CSV text of some images: per line, the label then the 784 pixels.

    Formatting 47 million numbers one by one in Python would take minutes, so each value
    is looked up in a table of the 256 possible texts, all at once with NumPy.
    """
    values = np.column_stack([labels, pixels]).astype(np.uint8, copy=False)
    cells = _CELLS[values]  # shape (rows, 785, 4)
    cells[:, -1] = _LAST_CELLS[values[:, -1]]
    return cells[cells != 0].tobytes()  # drop the padding, keep the order


def write_mnist_csv(
    path: str | Path, labels: np.ndarray, pixels: np.ndarray, progress: bool = True
) -> None:
    """Write images as a gzip-compressed MNIST CSV file, all at once or not at all.

    The file is written under a temporary name in the same folder and renamed to
    ``path`` when complete, so ``path`` never holds half a file. The gzip header stores
    no name and no time, so the same images always give the same bytes.
    """
    path = Path(path)
    with atomic_write(path) as file, gzip.GzipFile(
        filename="", mode="wb", fileobj=file, compresslevel=COMPRESSLEVEL, mtime=0
    ) as archive, tqdm(
        total=len(labels), desc=f"writing {path.name}", unit=" images", disable=not progress,
    ) as bar:
        for start in range(0, len(labels), _ROWS_PER_CHUNK):
            stop = start + _ROWS_PER_CHUNK
            archive.write(csv_rows(labels[start:stop], pixels[start:stop]))
            bar.update(len(labels[start:stop]))


if __name__ == "__main__":
    download_mnist()
