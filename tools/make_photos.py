"""Make the sample phone photos and whole numbers of data/own_digits/photos and numbers/.

These are not photos of anyone's handwriting: they are synthetic, made here, so that the
course has photos it may ship and tests whose true answers are known. Each picture is made
in two steps.

1. **Digits written with a pen.** The strokes come from two sources, half of the digits
   each:

   * the hand-designed pen strokes of ``tools/make_own_digits.py`` (two shapes of each
     digit, with a random slant, rotation, width, wobble and pen width), drawn with the
     drawing pad's round-pen rasteriser, ``helpers/strokes.py`` (:func:`pen_strokes`);
   * real handwriting: MNIST *test* digits (which no shipped network was trained on),
     enlarged ten times and sharpened into solid strokes with smooth edges.

2. **Photographed as a phone would.** The ink is laid on paper (white, cream or grey, with
   a fine texture, and on some photos ruled lines and a red margin) in blue or black pen,
   or as chalk on a dark board; the page is tilted a little; then lit unevenly (a gradient
   of light across the page, darker corners, and a soft shadow over one side), blurred a
   little by the lens, given sensor noise and saved as JPEG. A quarter of the photos are
   stored sideways, with the EXIF orientation tag that makes every viewer show them upright,
   as phones do.

Whole numbers (``numbers/``) are 2 to 8 digits written in a row with random spacing (some
digits touching or overlapping), saved as screen drawings (PNG) and as photos (JPEG).
``numbers/numbers.json`` lists for each file the number and the box of each digit
[left, top, right, bottom] in the pixels of the upright image, measured on the rendered ink.

Usage, from the top folder of the course (writes the same files every time)::

    python tools/make_photos.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "data" / "own_digits"
SEED = 2026
PHOTOS_PER_DIGIT = 4
NUMBERS = 40  # half drawings, half photos

#: EXIF tag number of the orientation, and the two values phones write for a photo taken
#: with the phone held sideways: how the stored pixels must turn to be upright.
ORIENTATION = 0x0112
SIDEWAYS = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def _strokes_module():
    """tools/make_own_digits.py as a module (tools/ is a folder of scripts, not a package)."""
    path = Path(__file__).resolve().parent / "make_own_digits.py"
    spec = importlib.util.spec_from_file_location("make_own_digits", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_own_digits", module)
    spec.loader.exec_module(module)
    return module


STROKES = _strokes_module()


# -- 1. digits written with a pen: ink 0..1 cropped to the digit -----------------------------

def pen_strokes(digit: int, rng: np.random.Generator) -> np.ndarray:
    """A digit from the hand-designed strokes, drawn with a round pen (ink 0..1, cropped)."""
    shapes = STROKES.SHAPES[digit]
    strokes, pen = STROKES.place(shapes[rng.integers(len(shapes))], rng)
    return _crop(STROKES.draw(strokes, pen).astype(np.float32) / 255)


def mnist_strokes(image: np.ndarray) -> np.ndarray:
    """An MNIST digit (28 x 28, 0..255) enlarged ten times into solid pen strokes."""
    big = Image.fromarray(image.astype(np.float32)).resize((280, 280), Image.Resampling.BICUBIC)
    grey = np.asarray(big) / 255
    ink = np.clip((grey - 0.35) / 0.2, 0, 1)  # a steep ramp: solid strokes, smooth edges
    return _crop(ink.astype(np.float32))


def _crop(ink: np.ndarray) -> np.ndarray:
    rows, columns = np.nonzero(ink.max(axis=1) > 0)[0], np.nonzero(ink.max(axis=0) > 0)[0]
    return ink[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]


def _scaled(ink: np.ndarray, height: float) -> np.ndarray:
    factor = height / ink.shape[0]
    size = (max(1, round(ink.shape[1] * factor)), max(1, round(height)))
    return np.clip(np.asarray(Image.fromarray(ink).resize(size, Image.Resampling.LANCZOS)), 0, 1)


def lay_out(digits: list[np.ndarray], height: float, gaps: list[float], page: tuple[int, int],
            rng: np.random.Generator) -> tuple[np.ndarray, list[np.ndarray]]:
    """The digits written in a row, ``height`` pixels high, with ``gaps`` between them (in
    pixels, negative: overlapping), in the middle of a page of ``page`` (height, width).

    Returns the ink of the whole page and the ink of each digit alone on it (for its box).
    """
    sizes = [height * rng.uniform(0.9, 1.05) for _ in digits]
    width = sum(ink.shape[1] * size / ink.shape[0] for ink, size in zip(digits, sizes))
    shrink = min(1.0, 0.85 * page[1] / (width + sum(gaps)))  # the row fits on the page
    height, gaps = height * shrink, [gap * shrink for gap in gaps]
    scaled = [_scaled(ink, size * shrink) for ink, size in zip(digits, sizes)]
    width = sum(ink.shape[1] for ink in scaled) + sum(gaps)
    left = (page[1] - width) / 2 + rng.normal(0, 0.03 * (page[1] - width))
    top = (page[0] - height) / 2 + rng.normal(0, 0.05 * page[0])
    alone = []
    for index, ink in enumerate(scaled):
        layer = np.zeros(page, dtype=np.float32)
        row = int(round(top + rng.normal(0, 0.04 * height)))
        column = int(round(left))
        row = int(np.clip(row, 2, page[0] - ink.shape[0] - 2))
        column = int(np.clip(column, 2, page[1] - ink.shape[1] - 2))
        layer[row:row + ink.shape[0], column:column + ink.shape[1]] = ink
        alone.append(layer)
        left += ink.shape[1] + (gaps[index] if index < len(gaps) else 0)
    return np.maximum.reduce(alone), alone


def box_of(ink: np.ndarray, level: float = 0.5) -> list[int]:
    """[left, top, right, bottom] of the pixels with ink above ``level`` (right and bottom
    inclusive)."""
    rows, columns = np.nonzero(ink.max(axis=1) > level)[0], np.nonzero(ink.max(axis=0) > level)[0]
    return [int(columns[0]), int(rows[0]), int(columns[-1]), int(rows[-1])]


# -- 2. photographed as a phone would -------------------------------------------------------

def photograph(ink: np.ndarray, rng: np.random.Generator, layers: list[np.ndarray] = ()
               ) -> tuple[np.ndarray, list[np.ndarray], str]:
    """A phone photo (uint8 RGB) of ``ink`` written on paper; ``layers`` (each digit's ink
    alone) are tilted the same way, for their boxes. Also returns a few words on the look."""
    height, width = ink.shape
    chalk = rng.random() < 0.12
    ruled = not chalk and rng.random() < 0.4
    if chalk:  # white chalk on a dark green-grey board
        paper = rng.uniform([0.12, 0.16, 0.13], [0.22, 0.26, 0.22])
        pen = np.array([0.88, 0.88, 0.84])
        look = "chalk on a board"
    else:
        paper = rng.choice([[0.96, 0.96, 0.95], [0.95, 0.93, 0.86], [0.78, 0.78, 0.76]])
        blue = rng.random() < 0.5
        pen = np.array([0.12, 0.18, 0.55]) if blue else np.array([0.08, 0.08, 0.1])
        look = ("blue" if blue else "black") + " pen on " + ("ruled " if ruled else "") + "paper"
    # the page: paper with a fine texture, ruled lines on some
    texture = 1 + ndimage.gaussian_filter(rng.normal(0, 0.04, (height, width)), 1.2)
    rgb = np.ones((height, width, 3)) * paper * texture[..., None]
    if ruled:
        lines = np.zeros((height, width), dtype=np.float32)
        spacing = rng.uniform(0.07, 0.11) * height
        for y in np.arange(rng.uniform(0, spacing), height, spacing):
            lines[int(y):int(y) + 2, :] = 0.6
        margin = int(rng.uniform(0.08, 0.15) * width)
        rgb = _blend(rgb, _tilt(lines, 0), np.array([0.55, 0.7, 0.92]))
        margin_line = np.zeros((height, width), dtype=np.float32)
        margin_line[:, margin:margin + 2] = 0.6
        rgb = _blend(rgb, margin_line, np.array([0.9, 0.45, 0.45]))
    # the ink, with the page a little tilted
    angle = rng.uniform(-6, 6)
    cover = (0.85 + 0.15 * rng.random((height, width))) if chalk else 0.95
    rgb = _blend(rgb, _tilt(ink, angle) * cover, pen)
    layers = [_tilt(layer, angle) for layer in layers]
    # the light: a gradient across the page, darker corners, a soft shadow at one side
    rows, columns = np.mgrid[0:height, 0:width]
    y, x = rows / height - 0.5, columns / width - 0.5
    direction = rng.uniform(0, 2 * np.pi)
    light = rng.uniform(0.45, 1.0) * (1 + rng.uniform(0.15, 0.35) * (x * np.cos(direction)
                                                                   + y * np.sin(direction)))
    light *= 1 - rng.uniform(0.1, 0.3) * (x ** 2 + y ** 2) * 2
    side = rng.integers(4)
    across = [x, -x, y, -y][side] + 0.5  # 0 at the shadowed side, 1 at the other
    edge, soft = rng.uniform(0.12, 0.3), rng.uniform(0.02, 0.06)
    light *= 1 - rng.uniform(0.3, 0.55) / (1 + np.exp((across - edge) / soft))
    rgb = rgb * light[..., None]
    # the lens and the sensor
    rgb = ndimage.gaussian_filter(rgb, (0.7, 0.7, 0))
    rgb += rng.normal(0, rng.uniform(0.01, 0.025), rgb.shape)
    return (np.clip(rgb, 0, 1) * 255).round().astype(np.uint8), layers, look


def _blend(rgb: np.ndarray, share: np.ndarray, colour: np.ndarray) -> np.ndarray:
    return rgb * (1 - share[..., None]) + colour * share[..., None]


def _tilt(layer: np.ndarray, angle: float) -> np.ndarray:
    if angle == 0:
        return layer
    return np.asarray(Image.fromarray(layer.astype(np.float32)).rotate(
        angle, Image.Resampling.BICUBIC), dtype=np.float32).clip(0, 1)


def save_photo(rgb: np.ndarray, path: Path, rng: np.random.Generator, sideways: bool) -> None:
    """Save as a phone does: JPEG; ``sideways``: the pixels turned, with an EXIF
    orientation tag that tells viewers how to turn them upright."""
    image = Image.fromarray(rgb)
    exif = Image.Exif()
    if sideways:
        tag = int(rng.choice(list(SIDEWAYS)))
        image = image.transpose(SIDEWAYS[tag])
        exif[ORIENTATION] = tag
    image.save(path, "JPEG", quality=int(rng.integers(72, 93)), exif=exif.tobytes())


def save_drawing(ink: np.ndarray, path: Path, rng: np.random.Generator) -> None:
    """Save as the pad (RGBA, the ink in the alpha channel) or a drawing program (RGB)."""
    if rng.random() < 0.5:
        rgba = np.zeros(ink.shape + (4,), dtype=np.uint8)
        rgba[..., 3] = np.round(ink * 255)
        Image.fromarray(rgba).save(path, optimize=True)
    else:
        grey = np.round(255 * (1 - ink)).astype(np.uint8)
        Image.fromarray(grey).convert("RGB").save(path, optimize=True)


# -- what is written --------------------------------------------------------------------------

def mnist_test_digits() -> dict[int, list[np.ndarray]]:
    """MNIST test images by digit, from the end of the test set (images 9000 to 9999)."""
    sys.path.insert(0, str(ROOT))
    from helpers.data import mnist_path, read_mnist_csv  # noqa: E402  (after the path is set)
    table = read_mnist_csv(mnist_path("test")).to_numpy()
    images, labels = table[:, 1:], table[:, 0]
    by_digit: dict[int, list[np.ndarray]] = {digit: [] for digit in range(10)}
    for image, label in zip(images[9000:], labels[9000:]):
        by_digit[int(label)].append(image.reshape(28, 28))
    return by_digit


def written(digit: int, rng: np.random.Generator, mnist: dict[int, list[np.ndarray]]
            ) -> tuple[np.ndarray, str]:
    """One written digit, from one of the two stroke sources, and which one."""
    if rng.random() < 0.5:
        return pen_strokes(digit, rng), "strokes"
    pool = mnist[digit]
    return mnist_strokes(pool.pop(int(rng.integers(len(pool))))), "mnist"


def make_photos(out: Path, rng: np.random.Generator, mnist) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for digit in range(10):
        for index in range(PHOTOS_PER_DIGIT):
            ink, source = written(digit, rng, mnist)
            page = (800, 600) if rng.random() < 0.5 else (600, 800)
            page_ink, _ = lay_out([ink], rng.uniform(0.3, 0.55) * page[0], [], page, rng)
            rgb, (tilted,), look = photograph(page_ink, rng, [page_ink])
            sideways = (digit * PHOTOS_PER_DIGIT + index) % 4 == 1
            name = f"{digit}_{index + 1:02d}.jpg"
            save_photo(rgb, out / name, rng, sideways)
            made.append({"file": name, "digit": digit, "strokes": source, "look": look,
                         "sideways": sideways, "box": box_of(tilted)})
    return made


def make_numbers(out: Path, rng: np.random.Generator, mnist) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(NUMBERS):
        length = 2 + index % 7  # 2 to 8 digits
        digits = [int(rng.integers(1, 10))] + [int(d) for d in rng.integers(0, 10, length - 1)]
        inks = [written(digit, rng, mnist)[0] for digit in digits]
        photo = index % 2 == 1
        page = (600, 800) if photo else (280, 140 + 90 * length)
        height = (rng.uniform(0.18, 0.3) if photo else rng.uniform(0.45, 0.6)) * page[0]
        spacing = ["wide", "close", "wide", "close", "touching"][index % 5]
        # touching: about half the neighbours touch or overlap a little, the others are close
        gaps = [{"wide": rng.uniform(0.25, 0.5), "close": rng.uniform(0.06, 0.15),
                 "touching": rng.choice([rng.uniform(-0.08, -0.01), rng.uniform(0.06, 0.15)])
                 }[spacing] * height for _ in range(length - 1)]
        page_ink, alone = lay_out(inks, height, gaps, page, rng)
        number = "".join(map(str, digits))
        if photo:
            rgb, alone, look = photograph(page_ink, rng, alone)
            sideways = index % 8 == 3
            name = f"{number}_photo.jpg"
            save_photo(rgb, out / name, rng, sideways)
        else:
            look, sideways, name = "drawing", False, f"{number}_drawing.png"
            save_drawing(page_ink, out / name, rng)
        made.append({"file": name, "number": number, "spacing": spacing, "look": look,
                     "sideways": sideways, "boxes": [box_of(layer) for layer in alone]})
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write into")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED)
    mnist = mnist_test_digits()
    photos = make_photos(args.out / "photos", rng, mnist)
    (args.out / "photos" / "photos.json").write_text(json.dumps(photos, indent=1) + "\n")
    numbers = make_numbers(args.out / "numbers", rng, mnist)
    (args.out / "numbers" / "numbers.json").write_text(json.dumps(numbers, indent=1) + "\n")
    print(f"wrote {len(photos)} photos to {args.out / 'photos'} and {len(numbers)} numbers "
          f"to {args.out / 'numbers'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
