"""Tests of helpers/download.py, against real HTTP servers on this computer.

Each test starts a small web server on 127.0.0.1 that plays one or more MNIST mirrors,
serving tiny IDX files made here (5 training and 3 test images). The server can play a
good mirror, or one that serves a damaged file, drops the connection halfway or has no
such file. No test reaches the internet: a guard makes any other connection fail.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

import helpers.download as download
from helpers.data import load_mnist, mnist_path, read_mnist_csv
from helpers.download import (
    IDX_FILES,
    IMAGES_MAGIC,
    LABELS_MAGIC,
    DownloadError,
    csv_rows,
    download_mnist,
    parse_idx,
)

ALL_FILES = [name for split in ("train", "test") for name in IDX_FILES[split]]
CSV_NAMES = ["mnist_test.csv.gz", "mnist_train.csv.gz"]


# --- tiny MNIST files -----------------------------------------------------------------


def idx_bytes(array: np.ndarray) -> bytes:
    """``array`` (of uint8) as an IDX file: 0, 0, type 0x08, ndim, each size, the values."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def tiny_mnist() -> dict[str, dict[str, np.ndarray]]:
    """Images and labels of a tiny MNIST: 5 training and 3 test images."""
    rng = np.random.default_rng(2024)
    train_images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    train_images[0, 0, :6] = [0, 9, 10, 99, 100, 255]  # every width of number
    test_images = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    return {
        "train": {"images": train_images, "labels": np.array([5, 0, 4, 1, 9], np.uint8)},
        "test": {"images": test_images, "labels": np.array([7, 2, 1], np.uint8)},
    }


def gz_files(mnist: dict[str, dict[str, np.ndarray]]) -> dict[str, bytes]:
    """The four gzip-compressed IDX files of ``mnist``, by their original names."""
    files = {}
    for split, names in IDX_FILES.items():
        arrays = mnist[split]["images"], mnist[split]["labels"]
        for name, array in zip(names, arrays):
            files[name] = gzip.compress(idx_bytes(array), compresslevel=1, mtime=0)
    return files


def md5s(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.md5(data).hexdigest() for name, data in files.items()}


# --- a local web server that plays mirrors --------------------------------------------


class MirrorHandler(BaseHTTPRequestHandler):
    """Serves ``/<mirror>/<file>``, the way ``server.behaviours`` says that mirror does."""

    timeout = 5  # seconds a connection may sit idle before the server drops it

    def do_GET(self) -> None:
        server: MirrorServer = self.server
        server.requests.append(self.path)
        _, mirror, name = self.path.split("/", 2)
        behaviour = server.behaviour(mirror, name)
        data = server.files.get(name)
        if data is None or behaviour == "missing":
            self.send_error(404)
            return
        if behaviour == "corrupt":  # one byte changed, same length
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if behaviour == "drop":  # promise all of it, send half, hang up
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
        else:
            self.wfile.write(data)

    def log_message(self, format, *args) -> None:  # keep the test output quiet
        pass


class MirrorServer(ThreadingHTTPServer):
    """A web server on 127.0.0.1, on a free port, that plays any number of mirrors."""

    daemon_threads = True

    def __init__(self, files: dict[str, bytes]):
        super().__init__(("127.0.0.1", 0), MirrorHandler)
        self.files = dict(files)
        self.behaviours: dict[tuple[str, str], str] = {}  # (mirror, file or "*") -> behaviour
        self.requests: list[str] = []

    def behaviour(self, mirror: str, name: str) -> str:
        """"good", "corrupt", "drop" or "missing"."""
        return self.behaviours.get((mirror, name), self.behaviours.get((mirror, "*"), "good"))

    def url(self, mirror: str) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/{mirror}/"


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Make any connection to a host other than this computer fail the test."""
    for variable in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.delenv(variable.upper(), raising=False)
    connect = socket.create_connection

    def local_only(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"a test tried to reach {address[0]}: no internet in tests")
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


@pytest.fixture
def mnist() -> dict[str, dict[str, np.ndarray]]:
    return tiny_mnist()


@contextlib.contextmanager
def serving(files: dict[str, bytes]):
    """Run a MirrorServer of ``files`` in a thread; stop it on leaving the block."""
    server = MirrorServer(files)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert not thread.is_alive(), "the test server did not stop"


@pytest.fixture
def server(mnist):
    """A mirror server for one test, shut down at its end."""
    with serving(gz_files(mnist)) as server:
        yield server


def fetch_from(server: MirrorServer, data_dir: Path, *mirrors: str, **options):
    """download_mnist from the server's ``mirrors``, checked against its files' MD5s."""
    options.setdefault("progress", False)
    options.setdefault("checksums", md5s(server.files))
    options.setdefault("timeout", 5)
    return download_mnist(data_dir, mirrors=[server.url(m) for m in mirrors], **options)


def closed_port_url() -> str:
    """The URL of a port on this computer where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def assert_right_csvs(data_dir: Path, mnist, splits=("train", "test")) -> None:
    """The CSV files in ``data_dir`` hold exactly the images and labels of ``mnist``."""
    for split in splits:
        frame = read_mnist_csv(mnist_path(split, data_dir))
        images, labels = mnist[split]["images"], mnist[split]["labels"]
        assert frame["label"].tolist() == labels.tolist()
        assert np.array_equal(frame.iloc[:, 1:].to_numpy(), images.reshape(len(images), 784))


# --- a good mirror ---------------------------------------------------------------------


def test_good_mirror_gives_csvs_that_read_back(server, mnist, tmp_path):
    paths = fetch_from(server, tmp_path, "good")
    assert paths == {split: mnist_path(split, tmp_path) for split in ("train", "test")}
    assert sorted(p.name for p in tmp_path.iterdir()) == CSV_NAMES  # no temporary files
    assert_right_csvs(tmp_path, mnist)
    assert sorted(server.requests) == sorted(f"/good/{name}" for name in ALL_FILES)

    inputs, labels = load_mnist("train", data_dir=tmp_path)
    assert labels.tolist() == [5, 0, 4, 1, 9]
    assert inputs[0, :6].tolist() == pytest.approx([0.01, 0.01 + 0.99 * 9 / 255,
                                                    0.01 + 0.99 * 10 / 255,
                                                    0.01 + 0.99 * 99 / 255,
                                                    0.01 + 0.99 * 100 / 255, 1.0])


def test_csv_text_is_the_course_layout(server, mnist, tmp_path):
    fetch_from(server, tmp_path, "good")
    raw = mnist_path("test", tmp_path).read_bytes()
    assert raw[3] == 0, "the gzip header should store no file name"
    assert raw[4:8] == bytes(4), "the gzip header should store no time"
    lines = gzip.decompress(raw).decode("ascii").split("\n")
    assert lines[-1] == ""  # the last row ends with a newline too
    images, labels = mnist["test"]["images"], mnist["test"]["labels"]
    expected = [
        ",".join(str(v) for v in [label, *image.ravel().tolist()])
        for label, image in zip(labels.tolist(), images)
    ]
    assert lines[:-1] == expected


def test_conversion_reproduces_the_shipped_test_file(mnist, tmp_path):
    shipped = read_mnist_csv(mnist_path("test")).to_numpy()
    real = {"test": {"images": shipped[:, 1:].reshape(-1, 28, 28), "labels": shipped[:, 0]}}
    with serving(gz_files({**mnist, **real})) as server:
        fetch_from(server, tmp_path, "good", splits=["test"])
    written = gzip.decompress(mnist_path("test", tmp_path).read_bytes())
    assert written == gzip.decompress(mnist_path("test").read_bytes())


def test_progress_bars_name_the_files(server, tmp_path, capsys):
    fetch_from(server, tmp_path, "good", progress=True)
    shown = capsys.readouterr().err
    for name in ALL_FILES + ["writing mnist_train.csv.gz", "writing mnist_test.csv.gz"]:
        assert name in shown


# --- mirrors that fail -----------------------------------------------------------------


def test_damaged_file_raises_and_leaves_nothing(server, tmp_path):
    server.behaviours[("bad", "t10k-labels-idx1-ubyte.gz")] = "corrupt"  # the last file
    with pytest.raises(DownloadError) as error:
        fetch_from(server, tmp_path, "bad")
    message = str(error.value)
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert server.url("bad") + "t10k-labels-idx1-ubyte.gz: wrong checksum" in message
    assert len(server.requests) == 4  # the other three arrived, and were not written
    assert list(tmp_path.iterdir()) == []


def test_dropped_connection_raises_and_leaves_nothing(server, tmp_path):
    server.behaviours[("flaky", "t10k-images-idx3-ubyte.gz")] = "drop"
    size = len(server.files["t10k-images-idx3-ubyte.gz"])
    data_dir = tmp_path / "data"  # does not exist yet
    with pytest.raises(DownloadError) as error:
        fetch_from(server, data_dir, "flaky")
    message = str(error.value)
    assert "t10k-images-idx3-ubyte.gz" in message
    assert f"the connection dropped after {size // 2:,} of {size:,} bytes" in message
    assert not data_dir.exists()
    assert list(tmp_path.iterdir()) == []


def test_every_mirror_failing_explains_each(server, tmp_path):
    for mirror, behaviour in [("gone", "missing"), ("bad", "corrupt"), ("flaky", "drop")]:
        server.behaviours[(mirror, "*")] = behaviour
    refused = closed_port_url()
    mirrors = [refused, server.url("gone"), server.url("bad"), server.url("flaky")]
    with pytest.raises(DownloadError) as error:
        download_mnist(tmp_path, mirrors=mirrors, progress=False,
                       checksums=md5s(server.files), timeout=5)
    lines = str(error.value).splitlines()
    assert "train-images-idx3-ubyte.gz" in lines[0]  # the first file needed
    assert len(lines) == 6  # the problem, what each of the 4 mirrors said, what to do
    said = [
        f"{refused}train-images-idx3-ubyte.gz: could not connect",
        f"{server.url('gone')}train-images-idx3-ubyte.gz: HTTP error 404",
        f"{server.url('bad')}train-images-idx3-ubyte.gz: wrong checksum",
        f"{server.url('flaky')}train-images-idx3-ubyte.gz: the connection dropped",
    ]
    for line, start in zip(lines[1:5], said):
        assert line.startswith(f"  - {start}"), line
    advice = " ".join(lines[5:])
    assert "internet" in advice and "mirrors=" in advice and "data/" in advice
    assert advice.endswith(f"Your data folder is {tmp_path}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("behaviour", ["corrupt", "drop", "missing"])
def test_a_bad_first_mirror_falls_back_to_the_second(server, mnist, tmp_path, behaviour):
    server.behaviours[("bad", "*")] = behaviour
    fetch_from(server, tmp_path, "bad", "good")
    assert_right_csvs(tmp_path, mnist)
    assert server.requests == [f"/{m}/{name}" for name in ALL_FILES for m in ("bad", "good")]
    assert sorted(p.name for p in tmp_path.iterdir()) == CSV_NAMES


def test_a_closed_first_mirror_falls_back_to_the_second(server, mnist, tmp_path):
    mirrors = [closed_port_url(), server.url("good")]
    download_mnist(tmp_path, mirrors=mirrors, progress=False, checksums=md5s(server.files),
                   timeout=5)
    assert_right_csvs(tmp_path, mnist)


def test_a_failed_write_leaves_nothing(server, tmp_path, monkeypatch):
    real_csv_rows = download.csv_rows
    calls = []

    def failing_csv_rows(labels, pixels):
        calls.append(len(labels))
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real_csv_rows(labels, pixels)

    monkeypatch.setattr(download, "_ROWS_PER_CHUNK", 2)
    monkeypatch.setattr(download, "csv_rows", failing_csv_rows)
    with pytest.raises(OSError, match="No space left"):
        fetch_from(server, tmp_path, "good")
    assert calls == [2, 2]  # it failed halfway through the training file
    assert list(tmp_path.iterdir()) == []


# --- files already there ---------------------------------------------------------------


def test_files_already_present_are_not_fetched_again(server, mnist, tmp_path):
    fetch_from(server, tmp_path, "good")
    assert len(server.requests) == 4
    train = mnist_path("train", tmp_path)
    train_bytes, train_time = train.read_bytes(), train.stat().st_mtime_ns

    fetch_from(server, tmp_path, "good")  # both there: nothing to do
    assert len(server.requests) == 4

    mnist_path("test", tmp_path).unlink()
    fetch_from(server, tmp_path, "good")  # only the test split is missing
    assert server.requests[4:] == [f"/good/{name}" for name in IDX_FILES["test"]]
    assert train.read_bytes() == train_bytes and train.stat().st_mtime_ns == train_time
    assert_right_csvs(tmp_path, mnist)


def test_a_present_file_is_never_overwritten(server, tmp_path):
    mine = mnist_path("train", tmp_path)
    mine.write_bytes(b"my own file")
    fetch_from(server, tmp_path, "good")
    assert mine.read_bytes() == b"my own file"
    assert server.requests == [f"/good/{name}" for name in IDX_FILES["test"]]


def test_load_mnist_downloads_only_its_missing_split(server, mnist, tmp_path, monkeypatch):
    monkeypatch.setattr(download, "MIRRORS", (server.url("good"),))
    monkeypatch.setattr(download, "CHECKSUMS", md5s(server.files))
    inputs, labels = load_mnist("test", data_dir=tmp_path, download=True)
    assert labels.tolist() == [7, 2, 1]
    expected = 0.01 + 0.99 * mnist["test"]["images"].reshape(3, 784) / 255
    np.testing.assert_allclose(inputs, expected, rtol=1e-6)
    assert [p.name for p in tmp_path.iterdir()] == ["mnist_test.csv.gz"]
    assert server.requests == [f"/good/{name}" for name in IDX_FILES["test"]]

    load_mnist("test", data_dir=tmp_path, download=True)  # there now: not fetched again
    assert len(server.requests) == 2


# --- files that arrive intact but are not MNIST ----------------------------------------


def replace_served(server: MirrorServer, name: str, idx: bytes) -> None:
    server.files[name] = gzip.compress(idx, mtime=0)


def test_wrong_kind_of_idx_file_is_rejected(server, mnist, tmp_path):
    # a labels file where the test images should be (its checksum is right)
    replace_served(server, "t10k-images-idx3-ubyte.gz", idx_bytes(mnist["test"]["labels"]))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz .*magic number 0x00000803"):
        fetch_from(server, tmp_path, "good")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name, array, problem",
    [
        ("train-images-idx3-ubyte.gz", np.zeros((5, 20, 20), np.uint8), "images of 20 x 20"),
        ("train-images-idx3-ubyte.gz", np.zeros((4, 28, 28), np.uint8), "has 4 images but"),
        ("train-labels-idx1-ubyte.gz", np.array([5, 0, 10, 1, 9], np.uint8), "a label 10"),
    ],
)
def test_images_and_labels_that_do_not_fit_are_rejected(server, tmp_path, name, array, problem):
    replace_served(server, name, idx_bytes(array))
    with pytest.raises(ValueError, match=problem):
        fetch_from(server, tmp_path, "good")
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_gzip_is_rejected(server, tmp_path):
    server.files["train-labels-idx1-ubyte.gz"] = b"<html>Not here</html>"
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz is not a readable gzip"):
        fetch_from(server, tmp_path, "good")
    assert list(tmp_path.iterdir()) == []


# --- the pieces -----------------------------------------------------------------------


def test_parse_idx_reads_dimensions_and_values(mnist):
    images = mnist["train"]["images"]
    parsed = parse_idx(idx_bytes(images), "images", IMAGES_MAGIC)
    assert parsed.shape == (5, 28, 28)
    assert np.array_equal(parsed, images)
    labels = parse_idx(idx_bytes(mnist["train"]["labels"]), "labels", LABELS_MAGIC)
    assert labels.tolist() == [5, 0, 4, 1, 9]


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "starts with 0x, expected the magic number 0x00000803"),
        (b"PK\x03\x04rest", "starts with 0x504b0304"),
        (idx_bytes(np.zeros(3, np.uint8)), "starts with 0x00000801"),
        (struct.pack(">BBBBI", 0, 0, 8, 3, 2), "cut short"),
        (
            idx_bytes(np.zeros((2, 28, 28), np.uint8))[:-1],
            "1,567 bytes of values, but its dimensions 2 x 28 x 28 need 1,568",
        ),
        (idx_bytes(np.zeros((2, 28, 28), np.uint8)) + b"\0", "1,569 bytes of values"),
    ],
)
def test_parse_idx_rejects_malformed_files(data, problem):
    with pytest.raises(ValueError, match="^images.idx ") as error:
        parse_idx(data, "images.idx", IMAGES_MAGIC)
    assert problem in str(error.value)


def test_csv_rows_formats_every_value():
    pixels = np.arange(2 * 784).reshape(2, 784) % 256
    labels = np.array([0, 9])
    text = csv_rows(labels.astype(np.uint8), pixels.astype(np.uint8)).decode("ascii")
    expected = "".join(
        ",".join(str(v) for v in [label, *row]) + "\n"
        for label, row in zip(labels.tolist(), pixels.tolist())
    )
    assert text == expected


def test_the_real_mirrors_and_checksums_are_complete():
    assert len(download.MIRRORS) >= 2
    assert len(set(download.MIRRORS)) == len(download.MIRRORS)
    assert all(url.startswith("https://") for url in download.MIRRORS)
    assert sorted(download.CHECKSUMS) == sorted(ALL_FILES)


#: The MD5 checksums of the original MNIST files as another project publishes them:
#: torchvision's ``torchvision.datasets.MNIST.resources`` (pytorch/vision,
#: torchvision/datasets/mnist.py), which downloads the same files from the same first mirror.
#: Two records made apart from each other: a slip in either shows up here.
TORCHVISION_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}


def test_the_checksums_are_the_published_ones():
    assert download.CHECKSUMS == TORCHVISION_MD5


def test_by_default_every_file_is_checked_against_the_published_checksum(server, tmp_path):
    """Without checksums=..., download_mnist checks the real table: files that are not the
    original MNIST files (the test server's tiny ones) are refused, by name and checksum."""
    with pytest.raises(DownloadError) as error:
        download_mnist(tmp_path, mirrors=[server.url("good")], progress=False, timeout=5,
                       splits=["test"])
    name = IDX_FILES["test"][0]
    found = hashlib.md5(server.files[name]).hexdigest()
    assert f"wrong checksum (MD5 {found}, expected {download.CHECKSUMS[name]})" in str(error.value)
    assert list(tmp_path.iterdir()) == []
