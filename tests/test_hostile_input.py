"""Hostile and careless input: nothing a learner hands the course hangs it, crashes it or
fills its memory.

Each section is one way that used to go wrong: a PostScript file passed off as a picture,
decoder errors that stopped a whole batch, images and model files that unpack to far more
memory than their size suggests, saving a broken network over a good one, file names and
pipes the command line could not cope with, a download that never ends, and answers that
looked surer than they were.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import zipfile
import zlib
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from helpers.data import DATA_DIR, load_mnist, read_mnist_csv
from helpers.download import DownloadError, download_mnist, fetch
from helpers.network import NeuralNetwork
from helpers.own_digits import NOISE_BELOW, neighbour_likeness, prepare_steps, read_digit
from helpers.saving import DEFAULT_MODEL, ModelFileError, load_network, save_network

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((DATA_DIR / "own_digits").glob("*.png"))
MB = 1024 * 1024


def run_helpers(*arguments, env=None, timeout=120, **options) -> subprocess.CompletedProcess:
    """``python -m helpers ARGUMENTS`` as a learner runs it (bytes in and out)."""
    return subprocess.run([sys.executable, "-m", "helpers", *arguments], cwd=ROOT,
                          capture_output=True, env=env, timeout=timeout, **options)


def png_of(image: Image.Image, format="PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def seven() -> Image.Image:
    image = Image.new("L", (120, 120), 255)
    ImageDraw.Draw(image).line([(25, 20), (95, 20), (50, 105)], fill=0, width=9)
    return image


def peak_memory_mb(code: str) -> float:
    """The peak resident memory, in MB, of a fresh Python that runs ``code`` (Linux's
    VmHWM, which starts afresh with each program, unlike ru_maxrss)."""
    script = code + textwrap.dedent("""
        with open("/proc/self/status") as status:
            print([line.split()[1] for line in status if line.startswith("VmHWM:")][0])
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return int(result.stdout.split()[-1]) / 1024  # VmHWM is in kB


# -- 1. PostScript is never handed to Ghostscript -----------------------------------------

POSTSCRIPT = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n{ } loop\n%%EOF\n"


@pytest.fixture
def fake_ghostscript(tmp_path):
    """A ``gs`` first on PATH that leaves a mark if it is ever started."""
    folder = tmp_path / "bin"
    folder.mkdir()
    mark = tmp_path / "gs-was-started"
    gs = folder / "gs"
    gs.write_text(f"#!/bin/sh\ntouch '{mark}'\nexit 1\n")
    gs.chmod(0o755)
    env = dict(os.environ, PATH=f"{folder}{os.pathsep}{os.environ['PATH']}")
    return env, mark


@pytest.mark.parametrize("name", ["digit.png", "digit.eps", "digit.jpg"])
def test_postscript_is_refused_by_content_and_ghostscript_never_runs(tmp_path, fake_ghostscript,
                                                                     name):
    env, mark = fake_ghostscript
    path = tmp_path / name
    path.write_bytes(POSTSCRIPT)
    result = run_helpers("predict", str(path), str(SAMPLES[0]), env=env, timeout=60)
    stderr = result.stderr.decode()
    assert not mark.exists(), "Ghostscript was started on a learner's file"
    assert result.returncode == 1 and "Traceback" not in stderr
    assert f"{path}: error: {path} is not an image that can be read" in stderr
    assert f"{SAMPLES[0]}: 0 (confidence" in result.stdout.decode()  # the other file is read


def test_reading_images_loads_only_the_six_formats_readers():
    code = textwrap.dedent(f"""
        import sys
        from helpers.own_digits import load_image
        for content in ({POSTSCRIPT!r}, b"\\xc5\\xd0\\xd3\\xc6" + bytes(40), b"DDS " + bytes(200)):
            try:
                load_image(content)
            except ValueError:
                pass
        load_image({str(SAMPLES[0])!r})
        print(sorted(name for name in sys.modules if name.endswith("ImagePlugin")))
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    plugins = eval(result.stdout)  # a list of module names printed just above
    assert "PIL.EpsImagePlugin" not in plugins
    assert set(plugins) <= {f"PIL.{name}ImagePlugin" for name in
                            ("Bmp", "Gif", "Jpeg", "Png", "Tiff", "WebP", "Ppm", "Mpo",
                             "ImageFile")}


# -- 2. every decoder's failure is that file's error, and the other files go on -----------

def tiff_whose_second_page_has_no_width() -> bytes:
    """A two-page TIFF whose second page lacks the ImageWidth tag (256)."""
    pages = [seven(), seven().rotate(90)]
    data = bytearray(png_of(pages[0], "TIFF", save_all=True, append_images=pages[1:]))
    assert data[:4] == b"II*\x00"
    first = struct.unpack_from("<I", data, 4)[0]
    count = struct.unpack_from("<H", data, first)[0]
    second = struct.unpack_from("<I", data, first + 2 + 12 * count)[0]
    count = struct.unpack_from("<H", data, second)[0]
    for entry in range(count):
        at = second + 2 + 12 * entry
        if struct.unpack_from("<H", data, at)[0] == 256:
            struct.pack_into("<H", data, at, 65000)  # an unknown tag instead of the width
    return bytes(data)


@pytest.fixture
def awkward_files(tmp_path) -> dict[str, Path]:
    files = {"two_page.tif": tiff_whose_second_page_has_no_width(),
             "texture.dds": png_of(seven().convert("RGB"), "DDS"),
             "texture.blp": png_of(seven().convert("RGB").convert("P"), "BLP")}
    paths = {}
    for name, content in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(content)
    return paths


def test_a_batch_with_files_that_break_decoders_reports_every_file(awkward_files):
    files = [SAMPLES[0], *awkward_files.values(), SAMPLES[-1]]
    result = run_helpers("predict", "--json", *map(str, files))
    assert "Traceback" not in result.stderr.decode()
    answers = json.loads(result.stdout)
    assert [answer["file"] for answer in answers] == list(map(str, files))
    assert answers[0]["digit"] == 0 and answers[-1]["digit"] == 9
    assert answers[1]["digit"] == 7  # the first page of the TIFF is a good seven
    for answer in answers[2:4]:  # DDS and BLP are not formats the course reads
        assert answer["digit"] is None and "is not an image that can be read" in answer["error"]
    assert result.returncode == 1


def test_the_pad_keeps_the_drawing_when_an_upload_breaks_a_decoder(awkward_files):
    from helpers.drawing_pad import DrawingPad

    pad = DrawingPad(load_network(DEFAULT_MODEL))
    pad.draw_strokes([[(140, 40), (140, 240)]])
    ink = pad.ink.copy()
    for name in ("texture.dds", "texture.blp", "two_page.tif"):  # the TIFF's first page reads
        path = awkward_files[name]
        pad.upload.value = ({"name": path.name, "content": memoryview(path.read_bytes()),
                             "type": "", "size": path.stat().st_size,
                             "last_modified": datetime.now(timezone.utc)},)
        assert pad.upload.value == ()
        if path.suffix != ".tif":
            assert f"Could not read {path.name}" in pad.answer.value
            assert np.array_equal(pad.ink, ink) and len(pad.strokes) == 1
    assert pad.reading.digit == 7


# -- 3. memory is bounded by what is decoded, in bytes, not only in pixels ----------------

def png_of_zeros(width: int, height: int, colour_type: int = 0, bit_depth: int = 8) -> bytes:
    """A PNG of ``width`` x ``height`` zero pixels, written by hand (it compresses to
    almost nothing)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\0" * (1 + -(-width * channels * bit_depth // 8))
    rows = max(1, 2**20 // len(row))  # compress about 1 MB at a time
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row * min(rows, height - start))
                    for start in range(0, height, rows)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height, colour_type, bit_depth", [
    (49_000_000, 1, 0, 16),  # one long thin line of 16-bit grey, a file of 95 kB
    (49_000_000, 1, 0, 8),  # the same in 8 bits
    (1, 49_000_000, 0, 16),  # and upright
    (7000, 7000, 6, 8),  # RGBA
])
def test_a_small_image_file_cannot_fill_the_memory(tmp_path, width, height, colour_type,
                                                    bit_depth):
    path = tmp_path / "big.png"
    path.write_bytes(png_of_zeros(width, height, colour_type, bit_depth))
    assert path.stat().st_size < 1 * MB
    read = f"""
from helpers.own_digits import load_image
try:
    load_image({str(path)!r})
except ValueError:
    pass
"""
    baseline = peak_memory_mb(f"from helpers.own_digits import load_image\n"
                              f"load_image({str(SAMPLES[0])!r})")
    assert peak_memory_mb(read) - baseline < 150


# -- 4. model files are checked from their headers before anything is allocated ----------

def saved_arrays(path: Path, **changes) -> Path:
    """The shipped network's file, rewritten with some arrays changed or added."""
    with np.load(DEFAULT_MODEL) as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays.update(changes)
    arrays = {key: value for key, value in arrays.items() if value is not None}
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("hidden", [100_000, 10**12])
def test_a_model_file_declaring_a_huge_network_is_refused_before_allocating(tmp_path, hidden):
    path = saved_arrays(tmp_path / "huge.npz", **{"architecture/hidden_nodes": np.array(hidden)})
    assert path.stat().st_size < 1 * MB
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="w_input_hidden|hidden"):
            load_network(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * MB


@pytest.mark.parametrize("outputs, says", [(1, "10 outputs"), (20, "10 outputs")])
def test_a_network_that_does_not_answer_with_ten_digits_is_refused(tmp_path, outputs, says):
    network = NeuralNetwork(784, 16, outputs, 0.1, seed=0)
    path = tmp_path / "odd.npz"
    np.savez(path, format=np.array("digits-by-hand network"), format_version=np.array(1),
             kind=np.array("NeuralNetwork"), name=np.array("odd"),
             **{f"architecture/{key}": np.array(getattr(network, key)) for key in
                ("input_nodes", "hidden_nodes", "output_nodes", "learning_rate")},
             **{f"parameter/{key}": value for key, value in network.parameters().items()})
    with pytest.raises(ModelFileError, match=says):
        load_network(path)


def test_an_npz_whose_members_are_not_arrays_is_refused(tmp_path):
    path = tmp_path / "strange.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("format.npy", b"not an npy file at all")
        archive.writestr("readme.txt", b"hello")
    with pytest.raises(ModelFileError, match="strange.npz"):
        load_network(path)


# -- 5. save_network refuses what load_network would refuse --------------------------------

@pytest.mark.parametrize("spoil", ["nan", "integers"])
def test_saving_a_broken_network_refuses_and_keeps_the_good_file(tmp_path, spoil):
    network = load_network(DEFAULT_MODEL)
    path = save_network(network, tmp_path / "mine.npz", name="good")
    good = path.read_bytes()
    if spoil == "nan":
        network.w_hidden_output[0, 0] = np.nan
    else:
        network.w_hidden_output = network.w_hidden_output.astype(np.int64)
    with pytest.raises(ValueError, match="w_hidden_output"):
        save_network(network, path)
    assert path.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["mine.npz"]  # and no half-written file left


# -- 6. names in any encoding, closed pipes, Ctrl-C -----------------------------------------

def test_a_file_name_that_is_not_utf8_is_reported_like_any_other(tmp_path):
    odd = os.fsencode(tmp_path) + b"/caf\xe9.png"  # Latin-1, not UTF-8
    with open(odd, "wb") as file:
        file.write(SAMPLES[0].read_bytes())
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8")
    for options in ([], ["--json"]):
        result = subprocess.run([sys.executable, "-m", "helpers", "predict", *options, odd,
                                 str(SAMPLES[-1])], cwd=ROOT, capture_output=True, env=env,
                                timeout=120)
        assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
        assert result.returncode == 0
        out = result.stdout.decode("utf-8")  # what is printed is valid UTF-8
        assert "caf" in out and out.count("(confidence") + out.count('"digit"') == 2


def test_predict_into_a_pipe_closed_early_ends_quietly():
    files = " ".join(map(str, SAMPLES * 8))  # more lines than the pipe takes at once
    command = f"{sys.executable} -m helpers predict {files} | head -1"
    result = subprocess.run(["bash", "-c", "set -o pipefail; " + command], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.count("\n") == 1 and "(confidence" in result.stdout
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_ctrl_c_ends_the_command_line_quietly(tmp_path):
    import signal

    process = subprocess.Popen(
        [sys.executable, "-c",
         # Python answers Ctrl-C with KeyboardInterrupt, unless it was started with SIGINT
         # ignored (as a background job of a shell is): give it the answer a terminal gets
         "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
         "import sys, time, helpers.__main__ as m\n"
         "m.read_digit = lambda *a, **k: time.sleep(60)\n"
         "sys.argv = ['helpers', 'predict', sys.argv[1]]\n"
         "print('ready', flush=True)\n"
         "sys.exit(m.main())", str(SAMPLES[0])],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        time.sleep(1.5)  # the network is loaded and the (stand-in) reading has begun
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert "interrupted" in stderr and process.returncode == 130


# -- 7. downloads end in bounded time, and their arguments are checked --------------------

class Trickler(BaseHTTPRequestHandler):
    """Promises a file of 1,000 bytes and sends it a byte every 0.2 seconds."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass  # the client gave up, as it should

    def log_message(self, format, *args) -> None:
        pass


def test_a_server_that_trickles_fails_by_the_deadline():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    outcome = {}

    def download():
        try:
            fetch("a.gz", [f"http://127.0.0.1:{server.server_address[1]}/"], "0" * 32,
                  progress=False, timeout=5, deadline=2)
        except Exception as exc:
            outcome["error"] = exc

    try:
        worker = threading.Thread(target=download, daemon=True)
        worker.start()
        worker.join(timeout=60)  # a guard against a hang, not a measure of speed
        assert not worker.is_alive(), "the download did not stop at its deadline"
    finally:
        server.shutdown()
        server.server_close()
    assert isinstance(outcome["error"], DownloadError)
    assert "2 s" in str(outcome["error"])


@pytest.mark.parametrize("arguments, says", [
    ({"mirrors": "https://example.org/mnist/"}, "mirrors"),
    ({"timeout": 0}, "timeout"),
    ({"splits": "train"}, "splits"),
])
def test_download_arguments_are_checked(tmp_path, arguments, says):
    with pytest.raises((TypeError, ValueError), match=says):
        download_mnist(tmp_path, progress=False, **arguments)


# -- 8. answers say when they are unsure; every file gets its result ------------------------

def test_json_carries_unsure_and_message(tmp_path):
    dot = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(dot).ellipse([130, 130, 150, 150], fill=0)
    dot.save(tmp_path / "dot.png")
    result = run_helpers("predict", "--json", str(tmp_path / "dot.png"), str(SAMPLES[0]))
    answers = json.loads(result.stdout)
    assert answers[0]["unsure"] is True and "small" in answers[0]["message"]
    assert answers[1]["unsure"] is False and answers[1]["message"] == "It's a 0"


def noise(seed: int, kind: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return rng.integers(0, 256, (200, 200), dtype=np.uint8)
    if kind == "colour":
        return rng.integers(0, 256, (150, 220, 3), dtype=np.uint8)
    if kind == "gaussian":
        return np.clip(rng.normal(128, 60, (256, 256)), 0, 255).astype(np.uint8)
    return np.where(rng.random((200, 200)) < 0.1, 0, 255).astype(np.uint8)  # salt


@pytest.mark.parametrize("kind", ["uniform", "colour", "gaussian", "salt"])
def test_pure_noise_is_not_read_as_a_confident_digit(kind):
    network = load_network(DEFAULT_MODEL)
    for seed in range(5):
        reading = read_digit(network, noise(seed, kind))
        assert reading.unsure and "noise" in reading.message, (kind, seed, reading.message)
        assert neighbour_likeness(prepare_steps(noise(seed, kind))["cropped"]) < 0.12


def test_mnist_digits_are_not_taken_for_noise():
    inputs, _ = load_mnist("test")
    pixels = np.round((inputs[:1000] - 0.01) / 0.99 * 255).astype(np.uint8)
    likeness = [neighbour_likeness(prepare_steps(row.reshape(28, 28))["cropped"])
                for row in pixels]
    assert min(likeness) > NOISE_BELOW
    assert min(neighbour_likeness(prepare_steps(path)["cropped"]) for path in SAMPLES) > 0.94


def test_every_shipped_sample_stays_read_and_sure():
    network = load_network(DEFAULT_MODEL)
    for path in SAMPLES:
        reading = read_digit(network, path)
        assert reading.digit == int(path.name[0]) and not reading.unsure, (path, reading.message)


def test_evaluate_reports_each_model_file_separately(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    good = tmp_path / "good.npz"
    good.write_bytes(DEFAULT_MODEL.read_bytes())
    result = run_helpers("evaluate", "--json", "--model", str(bad), "--model", str(good))
    assert "Traceback" not in result.stderr.decode()
    results = json.loads(result.stdout)
    assert [Path(entry["file"]).name for entry in results] == ["bad.npz", "good.npz"]
    assert results[0]["test_accuracy"] is None and "not a network" in results[0]["error"]
    assert results[1]["test_accuracy"] > 0.97 and "error" not in results[1]
    assert result.returncode == 1


def test_a_gzip_damaged_mid_stream_is_reported_as_a_damaged_file(tmp_path):
    rows = "\n".join(",".join(["7"] + ["0"] * 784) for _ in range(2000)) + "\n"
    data = bytearray(gzip.compress(rows.encode(), mtime=0))
    for at in range(len(data) // 2, len(data) // 2 + 16):
        data[at] ^= 0x55  # spoil 16 bytes in the middle of the compressed stream
    path = tmp_path / "mnist_test.csv.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged") as error:
        read_mnist_csv(path)
    assert "row" not in str(error.value)


def test_readme_states_the_limits_the_code_applies():
    from helpers import image_files, saving

    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"more than {image_files.MAX_PIXELS // 1_000_000} million pixels" in readme
    assert f"more than {image_files.MAX_DECODED_BYTES // 2**20} MB of memory" in readme
    assert f"more than {image_files.MAX_DECODED_SIDE:,} pixels long" in readme
    assert f"at most {saving.MAX_PARAMETERS:,} parameters" in readme
    assert f"read {saving.INPUTS} inputs" in readme and f"into {saving.OUTPUTS} outputs" in readme
