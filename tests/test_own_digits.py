"""Tests of helpers/own_digits.py: preparing your own images the way MNIST digits were.

Each step is checked against facts computed here another way: the ink's box and centre of
mass with plain NumPy sums (not scipy.ndimage, which the module uses), the proportions of
a rectangle of known size, the same drawing saved in five different ways, and real MNIST
test digits, drawn large and off-centre, which must keep the network's answer. Bad input
(blank, a dot, a huge photo, a decompression bomb, a text file, animations) must give a
clear answer, never a confident wrong one or a traceback from inside Pillow.
"""

from __future__ import annotations

import contextlib
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFile

from helpers.data import DATA_DIR, load_mnist
from helpers.own_digits import (
    BLANK_MESSAGE,
    MAX_SIDE,
    NoDigitError,
    Reading,
    load_image,
    naive_resize,
    prepare,
    prepare_steps,
    read_digit,
)
from helpers.saving import DEFAULT_MODEL, load_network
from helpers.strokes import draw_strokes

SAMPLES = sorted((DATA_DIR / "own_digits").glob("*.png"))
STEPS = ["loaded", "cropped", "fitted_20x20", "centred_28x28", "inputs"]


@pytest.fixture(scope="module")
def network():
    return load_network(DEFAULT_MODEL)


def seven(size: tuple[int, int] = (280, 280), offset: tuple[int, int] = (0, 0),
          pen: int = 18) -> np.ndarray:
    """A 7 drawn with a round pen, off-centre: uint8 ink, 0 paper, 255 ink."""
    image = Image.new("L", size, 0)
    x, y = offset
    ImageDraw.Draw(image).line([(40 + x, 50 + y), (150 + x, 45 + y), (80 + x, 200 + y)],
                               fill=255, width=pen, joint="curve")
    return np.asarray(image)


def ink_box(image: np.ndarray, level: float = 0.0) -> tuple[int, int, int, int]:
    """Top, bottom, left, right (inclusive) of the pixels above ``level``, found with argmax."""
    rows, columns = image.max(axis=1) > level, image.max(axis=0) > level
    top, left = int(np.argmax(rows)), int(np.argmax(columns))
    bottom = len(rows) - 1 - int(np.argmax(rows[::-1]))
    right = len(columns) - 1 - int(np.argmax(columns[::-1]))
    return top, bottom, left, right


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the centre of mass, as plain weighted means of the indices."""
    rows, columns = np.indices(image.shape)
    total = image.sum()
    return float((rows * image).sum() / total), float((columns * image).sum() / total)


def png_bomb(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of ``width`` x ``height`` pixels, all 0: tiny as a
    file (zeros compress well), huge once unpacked."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    packer, row = zlib.compressobj(9), b"\0" * (1 + (width + 7) // 8)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


# -- the samples --------------------------------------------------------------------------

def test_there_are_enough_samples_of_every_digit():
    digits = [int(path.name[0]) for path in SAMPLES]
    assert len(SAMPLES) >= 30
    assert all(digits.count(digit) >= 3 for digit in range(10)), digits


def test_the_samples_are_read_correctly_and_better_than_with_a_naive_resize(network):
    truth = np.array([int(path.name[0]) for path in SAMPLES])
    prepared = network.predict(np.stack([prepare(path) for path in SAMPLES]))
    naive = network.predict(np.stack([naive_resize(path) for path in SAMPLES]))
    wrong = [path.name for path, answer in zip(SAMPLES, prepared) if answer != int(path.name[0])]
    assert np.mean(prepared == truth) >= 0.9, f"read wrong: {wrong}"
    assert np.mean(naive == truth) < np.mean(prepared == truth)


def test_the_samples_are_what_their_tool_draws_with_the_pads_rasteriser(tmp_path):
    """tools/make_own_digits.py draws with helpers/strokes.py, as the pad does, and its
    seeded hand makes exactly the 40 files that ship."""
    from tool_scripts import load_tool

    tool = load_tool("make_own_digits")
    strokes, pen = tool.place(tool.SHAPES[7][0], np.random.default_rng(0))
    assert np.array_equal(tool.draw(strokes, pen),
                          np.round(draw_strokes(strokes, tool.CANVAS, pen) * 255))
    with contextlib.redirect_stdout(io.StringIO()):
        assert tool.main(["--out", str(tmp_path)]) == 0
    made = sorted(tmp_path.glob("*.png"))
    assert [path.name for path in made] == [path.name for path in SAMPLES]
    for ours, shipped in zip(made, SAMPLES):
        with Image.open(ours) as a, Image.open(shipped) as b:
            assert a.mode == b.mode and np.array_equal(np.asarray(a), np.asarray(b)), ours.name


# -- each step ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", SAMPLES[::3], ids=lambda path: path.name)
def test_each_step_of_a_sample(path):
    steps = prepare_steps(path)
    assert list(steps) == STEPS
    loaded = steps["loaded"]
    assert loaded.ndim == 2 and loaded.min() == 0 and loaded.max() == 1

    top, bottom, left, right = ink_box(loaded, level=0.4999)  # the cores of the strokes
    np.testing.assert_array_equal(steps["cropped"], loaded[top:bottom + 1, left:right + 1])
    # on a drawing, only the anti-aliased edge of the strokes (1 pixel) is left outside
    outside = np.subtract(ink_box(loaded), (top, bottom, left, right))
    assert np.abs(outside).max() <= 1, outside

    fitted = steps["fitted_20x20"]
    assert fitted.shape == (20, 20)
    top, bottom, left, right = ink_box(fitted)
    assert max(bottom - top, right - left) + 1 == 20  # the longer side fills the box

    centred = steps["centred_28x28"]
    top, bottom, left, right = ink_box(centred)
    assert centred.shape == (28, 28)
    assert bottom - top < 20 and right - left < 20  # the ink fits 20 x 20
    row, column = centre_of_mass(centred)
    assert abs(row - 14) <= 0.5 and abs(column - 14) <= 0.5, (row, column)

    inputs = steps["inputs"]
    assert inputs.shape == (784,) and inputs.dtype == np.float32
    np.testing.assert_allclose(inputs, 0.01 + 0.99 * centred.ravel(), atol=1e-6)
    assert inputs.min() == pytest.approx(0.01) and inputs.max() == pytest.approx(1.0)


def test_the_aspect_ratio_is_kept():
    image = Image.new("L", (300, 300), 0)
    ImageDraw.Draw(image).rectangle((50, 20, 99, 219), outline=255, width=6)  # 50 x 200
    fitted = prepare_steps(np.asarray(image))["fitted_20x20"]
    top, bottom, left, right = ink_box(fitted)
    assert (bottom - top + 1, right - left + 1) == (20, 5)  # 200:50 is 20:5


def test_a_digit_touching_the_frame_stays_whole():
    """Centring never pushes ink out of the 28 x 28 frame (here a T, mass at the top)."""
    image = Image.new("L", (200, 200), 0)
    ImageDraw.Draw(image).rectangle((0, 0, 199, 40), fill=255)
    ImageDraw.Draw(image).rectangle((95, 0, 105, 199), fill=255)
    steps = prepare_steps(np.asarray(image))
    assert steps["centred_28x28"].sum() == pytest.approx(steps["fitted_20x20"].sum(), rel=1e-5)


def test_the_same_drawing_in_any_format_gives_the_same_inputs(tmp_path):
    ink = seven(offset=(60, 30))
    rgba = np.zeros(ink.shape + (4,), dtype=np.uint8)
    rgba[..., 3] = ink  # black pen on transparent paper, as a web canvas gives it
    formats = {
        "white on black, greyscale": Image.fromarray(ink),
        "black on white, RGB": Image.fromarray(np.repeat(255 - ink[..., None], 3, axis=2)),
        "ink in the alpha channel": Image.fromarray(rgba),
        "16-bit greyscale": Image.fromarray(ink.astype(np.uint16) * 257),
        "blue on yellow, RGB": Image.fromarray(np.where(ink[..., None] > 127, [10, 20, 120],
                                                        [250, 240, 170]).astype(np.uint8)),
    }
    expected = prepare(ink)
    for name, image in formats.items():
        path = tmp_path / f"{name}.png"
        image.save(path)
        for source in (path, image, np.asarray(image), path.read_bytes()):
            np.testing.assert_allclose(prepare(source), expected, atol=0.02, err_msg=name)
    np.testing.assert_allclose(prepare(ink / 255.0), expected, atol=1e-6)  # floats 0..1
    assert Image.open(tmp_path / "16-bit greyscale.png").mode.startswith("I")


def test_mnist_test_digits_drawn_large_and_shifted_keep_their_answer(network):
    inputs, labels = load_mnist("test")
    pixels = np.round((inputs[:200] - 0.01) / 0.99 * 255).astype(np.uint8)
    rng = np.random.default_rng(0)
    kept, similar = [], []
    for image, original in zip(pixels.reshape(-1, 28, 28), inputs):
        big = Image.fromarray(image).resize((196, 196), Image.Resampling.BICUBIC)
        paper = Image.new("L", (400, 300), 255)  # dark ink on white paper, off-centre
        paper.paste(Image.fromarray(255 - np.asarray(big)),
                    (int(rng.integers(0, 204)), int(rng.integers(0, 104))))
        prepared = prepare(paper)
        kept.append(network.predict(prepared) == network.predict(original))
        similar.append(np.corrcoef(prepared, original)[0, 1])
    assert np.mean(kept) >= 0.97
    assert min(similar) > 0.6 and np.median(similar) > 0.95  # still the same pictures


# -- loading ------------------------------------------------------------------------------

def test_an_animated_gif_and_a_multipage_tiff_give_their_first_frame(tmp_path):
    first, second = Image.fromarray(seven()), Image.fromarray(seven(offset=(80, 60))[::-1])
    for name in ("animated.gif", "pages.tif"):
        path = tmp_path / name
        first.save(path, save_all=True, append_images=[second])
        with Image.open(path) as image:
            assert image.n_frames == 2
            image.seek(1)  # even a PIL image left at its second frame
            np.testing.assert_allclose(prepare(image), prepare(first), atol=0.02)
        np.testing.assert_allclose(prepare(path), prepare(first), atol=0.02)
        assert not np.allclose(prepare(path), prepare(second), atol=0.02)


def test_a_text_file_renamed_png_is_refused_clearly(tmp_path):
    path = tmp_path / "digit.png"
    path.write_text("this is not a picture\n")
    with pytest.raises(ValueError, match="digit.png is not an image"):
        prepare(path)


def test_a_damaged_image_is_refused_clearly(tmp_path):
    whole = io.BytesIO()
    Image.fromarray(seven()).save(whole, format="PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(whole.getvalue()[:200])
    with pytest.raises(ValueError, match="cut.png .*could not be read"):
        prepare(path)


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no image file at .*nothing.png"):
        prepare(tmp_path / "nothing.png")


@pytest.mark.parametrize("side", [8000, 20000])  # above the course's limit; above Pillow's
def test_a_decompression_bomb_is_refused(tmp_path, side):
    bomb = png_bomb(side, side)
    assert len(bomb) < 200_000  # a small file ...
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    for source in (path, bomb):
        with refuse_decoding(), pytest.raises(ValueError, match="decompression bomb"):
            prepare(source)  # ... refused from its header, before any pixel is unpacked


@contextlib.contextmanager
def refuse_decoding():
    """Inside it, unpacking the pixels of an image file fails the test."""
    def load(self):
        raise AssertionError(f"{self.format} pixels were unpacked")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ImageFile.ImageFile, "load", load)
        yield


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> np.ndarray:
    """A 6000 x 4000 photo-like picture: a dark 7 on unevenly lit, grainy grey paper."""
    height, width = 4000, 6000
    light = np.linspace(190, 215, width, dtype=np.float32)[None, :]
    grain = np.random.default_rng(1).normal(0, 4, (height // 8, width // 8)).astype(np.float32)
    paper = light + np.kron(grain, np.ones((8, 8), dtype=np.float32))
    ink = np.asarray(Image.fromarray(seven((600, 400), (200, 80), pen=14)).resize((width, height)))
    grey = np.clip(paper - ink.astype(np.float32) * 0.7, 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def test_a_large_photo_is_shrunk_before_the_ink_is_looked_for(photo, tmp_path, network,
                                                             monkeypatch):
    """What keeps a 6000 x 4000 photo quick: the work after opening it is done on at most
    MAX_SIDE pixels a side (a JPEG is even decoded at a fraction of its size). How quick,
    on this machine: benchmarks/answer_speed.py."""
    from helpers import own_digits

    path = tmp_path / "photo.jpg"
    Image.fromarray(photo).save(path, quality=90)
    seen = []
    find_ink = own_digits._ink_from_luminance
    monkeypatch.setattr(own_digits, "_ink_from_luminance",
                        lambda luminance: seen.append(luminance.shape) or find_ink(luminance))
    for source in (path, photo):
        reading = read_digit(network, source)
        assert reading.digit == 7 and not reading.unsure, reading
    assert len(seen) == 2 and all(max(shape) <= MAX_SIDE for shape in seen), seen
    assert max(load_image(path).shape) <= MAX_SIDE


# -- reading ------------------------------------------------------------------------------

@pytest.mark.parametrize("blank", [
    np.zeros((280, 280, 4), dtype=np.uint8),  # an empty web canvas: all transparent
    np.full((280, 280, 3), 255, dtype=np.uint8),  # white paper
    np.zeros((28, 28)),  # black
    np.full((100, 80), 0.5),  # grey
    np.random.default_rng(0).normal(0.8, 0.01, (200, 200)),  # paper with faint grain
], ids=["transparent", "white", "black", "grey", "grainy paper"])
def test_a_blank_image_has_no_digit(network, blank):
    with pytest.raises(NoDigitError, match=BLANK_MESSAGE):
        prepare(blank)
    reading = read_digit(network, blank)
    assert reading.digit is None and reading.inputs is None and reading.unsure
    assert reading.message == BLANK_MESSAGE == "Draw a digit first"
    assert reading.confidence == 0 and reading.scores.shape == (10,)


@pytest.mark.parametrize("scribble", [
    [(138, 138), (142, 141)],  # a dot made by a click
    [(120, 130), (131, 140), (124, 146)],  # a tiny scribble
    "blob",  # a large filled dot
])
def test_a_dot_or_a_tiny_scribble_is_unsure(network, scribble):
    image = Image.new("RGBA", (280, 280))
    pen = ImageDraw.Draw(image)
    if scribble == "blob":
        pen.ellipse((90, 90, 190, 190), fill=(0, 0, 0, 255))
    else:
        pen.line(scribble, fill=(0, 0, 0, 255), width=18, joint="curve")
    reading = read_digit(network, image)
    assert reading.digit is not None and reading.unsure
    assert "small" in reading.message or "dot" in reading.message


def test_a_reading_and_its_confidence(network):
    path = SAMPLES[0]
    reading = read_digit(network, path)
    assert isinstance(reading, Reading)
    outputs = network.query(prepare(path))
    assert reading.digit == int(np.argmax(outputs)) == int(path.name[0])
    assert reading.confidence == pytest.approx(outputs.max() / outputs.sum())
    assert reading.scores.sum() == pytest.approx(1) and reading.scores.shape == (10,)
    np.testing.assert_array_equal(reading.inputs, prepare(path))
    assert not reading.unsure and reading.message == f"It's {'an' if reading.digit == 8 else 'a'} {reading.digit}"


def test_most_samples_are_read_without_doubt(network):
    unsure = [path.name for path in SAMPLES if read_digit(network, path).unsure]
    assert len(unsure) <= len(SAMPLES) // 10, unsure


def test_naive_resize_only_shrinks():
    ink = seven()
    naive = naive_resize(ink)
    assert naive.shape == (784,) and naive.dtype == np.float32
    expected = Image.fromarray(ink.astype(np.float32) / 255).resize((28, 28), Image.Resampling.BOX)
    np.testing.assert_allclose(naive.reshape(28, 28), 0.01 + 0.99 * np.asarray(expected),
                               atol=1e-5)
