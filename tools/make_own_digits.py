"""Draw the sample "own digits" of data/own_digits/: synthetic mouse drawings.

These are not scans of anyone's handwriting. Each digit is a few pen strokes designed by
hand below (lines and smooth curves in a box of height 1), drawn the way the drawing pad
draws a mouse's strokes (with its own rasteriser, helpers/strokes.py), with a seeded random
generator choosing for each drawing:

* the size (40 % to 90 % of the canvas height) and the position on the canvas (near
  the middle, give or take 12 % of the canvas),
* the slant, a small rotation and how wide the digit is,
* a smooth wobble of the strokes, as an unsteady hand gives it,
* the pen width (8 to 26 pixels on a 280 x 280 canvas).

Each digit has two shapes (a 7 with and without a bar, a 4 closed and open ...), drawn
twice each: files ``<digit>_a.png`` to ``<digit>_d.png``, the true digit first. They are
saved the three ways images reach the course:

* ``_a`` and ``_d``: RGBA with the ink in the alpha channel and transparent paper, as a
  web canvas gives it;
* ``_b``: RGB, dark blue-black ink on white paper, as a drawing program saves it;
* ``_c``: greyscale, white ink on black.

Usage, from the top folder of the course (writes the 40 files, the same ones every time)::

    python tools/make_own_digits.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a clone: find helpers/ next to tools/
    sys.path.insert(0, str(ROOT))

from helpers.strokes import draw_strokes  # noqa: E402

OUT_DIR = ROOT / "data" / "own_digits"
CANVAS = 280  # pixels, the side of the drawing pad
SEED = 2024

Stroke = np.ndarray  # shape (n, 2): x, y in the digit's box (height 1, y down)


def curve(*points: tuple[float, float], steps: int = 12) -> Stroke:
    """A smooth curve through ``points`` (a Catmull-Rom spline)."""
    p = np.array(points, dtype=float)
    p = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])  # extend the ends
    t = np.linspace(0, 1, steps, endpoint=False)[:, None]
    pieces = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        pieces.append(0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                             + (3 * p1 - p0 - 3 * p2 + p3) * t**3))
    return np.vstack(pieces + [p[-2][None]])


def line(*points: tuple[float, float]) -> Stroke:
    """Straight lines through ``points``."""
    return np.array(points, dtype=float)


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float) -> Stroke:
    """Part of an ellipse, from angle ``start`` to ``end`` in degrees (0 right, 90 down)."""
    angles = np.radians(np.linspace(start, end, max(8, int(abs(end - start) / 6))))
    return np.column_stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)])


#: Two shapes of each digit, each a list of strokes, designed by hand.
SHAPES: dict[int, list[list[Stroke]]] = {
    0: [[arc(0.3, 0.5, 0.28, 0.49, -100, 265)],
        [curve((0.35, 0.02), (0.1, 0.2), (0.04, 0.55), (0.2, 0.95), (0.45, 0.92),
               (0.58, 0.55), (0.5, 0.15), (0.3, 0.0), (0.22, 0.06))]],
    1: [[line((0.1, 0.0), (0.08, 1.0))],
        [line((0.06, 0.16), (0.24, 0.0), (0.24, 1.0))]],
    2: [[curve((0.04, 0.22), (0.2, 0.03), (0.42, 0.02), (0.56, 0.2), (0.5, 0.45),
               (0.25, 0.72), (0.02, 1.0)), line((0.02, 1.0), (0.62, 0.98))],
        [curve((0.06, 0.18), (0.3, 0.0), (0.55, 0.12), (0.45, 0.5), (0.05, 0.97),
               (0.3, 0.9), (0.62, 0.97))]],
    3: [[curve((0.05, 0.12), (0.3, 0.0), (0.52, 0.12), (0.5, 0.32), (0.25, 0.47),
               (0.5, 0.58), (0.58, 0.78), (0.4, 0.98), (0.15, 0.98), (0.02, 0.85))],
        [line((0.05, 0.02), (0.55, 0.02), (0.25, 0.42)),
         curve((0.25, 0.42), (0.52, 0.55), (0.58, 0.78), (0.35, 0.98), (0.02, 0.88))]],
    4: [[line((0.42, 0.0), (0.02, 0.66), (0.65, 0.66)), line((0.47, 0.3), (0.47, 1.0))],
        [line((0.1, 0.0), (0.05, 0.55), (0.6, 0.55)), line((0.5, 0.02), (0.5, 1.0))]],
    5: [[line((0.56, 0.02), (0.1, 0.02), (0.06, 0.42)),
         curve((0.06, 0.42), (0.3, 0.36), (0.55, 0.5), (0.58, 0.76), (0.4, 0.97),
               (0.15, 0.97), (0.0, 0.86))],
        [curve((0.1, 0.0), (0.07, 0.45), (0.35, 0.4), (0.56, 0.62), (0.48, 0.9),
               (0.2, 1.0), (0.02, 0.88)), line((0.1, 0.0), (0.58, 0.01))]],
    6: [[curve((0.5, 0.02), (0.25, 0.2), (0.08, 0.5), (0.08, 0.78), (0.3, 0.98),
               (0.52, 0.85), (0.55, 0.65), (0.35, 0.52), (0.12, 0.62))],
        [curve((0.45, 0.0), (0.15, 0.3), (0.05, 0.7), (0.25, 1.0), (0.5, 0.9), (0.52, 0.62),
               (0.28, 0.52), (0.08, 0.7))]],
    7: [[line((0.0, 0.02), (0.6, 0.02), (0.22, 1.0))],
        [line((0.02, 0.04), (0.62, 0.0), (0.3, 1.0)), line((0.18, 0.5), (0.55, 0.48))]],
    8: [[curve((0.5, 0.1), (0.3, 0.0), (0.1, 0.12), (0.15, 0.32), (0.45, 0.55),
               (0.55, 0.78), (0.32, 1.0), (0.06, 0.82), (0.12, 0.58), (0.45, 0.35),
               (0.52, 0.15), (0.42, 0.05))],
        [arc(0.3, 0.24, 0.2, 0.23, 90, 450), arc(0.3, 0.72, 0.26, 0.27, -90, 270)]],
    9: [[arc(0.3, 0.26, 0.27, 0.25, 0, 360), line((0.57, 0.26), (0.52, 1.0))],
        [curve((0.55, 0.15), (0.3, 0.02), (0.08, 0.15), (0.1, 0.4), (0.35, 0.45),
               (0.55, 0.3), (0.55, 0.15), (0.52, 0.6), (0.35, 1.0))]],
}


def wobble(strokes: list[Stroke], rng: np.random.Generator, size: float = 0.02) -> list[Stroke]:
    """The strokes gently bent by one smooth random wave: a hand is never quite steady."""
    waves, phases = rng.uniform(0.5, 2.0, 2), rng.uniform(0, 2 * np.pi, 2)
    bent = []
    for s in strokes:
        dx = size * np.sin(2 * np.pi * waves[0] * s[:, 1] + phases[0])
        dy = size * np.sin(2 * np.pi * waves[1] * s[:, 0] + phases[1])
        bent.append(s + np.column_stack([dx, dy]))
    return bent


def place(strokes: list[Stroke], rng: np.random.Generator) -> tuple[list[Stroke], float]:
    """The strokes moved onto the canvas (in canvas pixels) with a random hand, and a pen width."""
    slant = rng.uniform(-0.25, 0.35)  # > 0 leans right, as most people write
    rotation = np.radians(rng.uniform(-8, 8))
    widen = rng.uniform(0.8, 1.25)
    moved = []
    for s in wobble(strokes, rng):
        x = (s[:, 0] - 0.3) * widen + slant * (0.5 - s[:, 1])
        y = s[:, 1] - 0.5
        moved.append(np.column_stack([x * np.cos(rotation) - y * np.sin(rotation),
                                      x * np.sin(rotation) + y * np.cos(rotation)]))
    height = rng.uniform(0.4, 0.9) * CANVAS
    pen = rng.uniform(8, 26)
    margin = pen / 2 + 4
    points = np.vstack(moved)
    height = min(height, (CANVAS - 2 * margin) / np.ptp(points, axis=0).max())  # fits the pad
    points = points * height
    low, high = points.min(axis=0), points.max(axis=0)
    # most people draw near the middle of the pad, some off to a side
    middle = CANVAS / 2 + rng.normal(0, 0.12 * CANVAS, 2)
    corner = np.clip(middle - (high - low) / 2, margin, CANVAS - margin - (high - low)) - low
    return [s * height + corner for s in moved], pen


def draw(strokes: list[Stroke], pen: float) -> np.ndarray:
    """The ink of ``strokes`` drawn with a round pen, as the drawing pad draws it
    (:func:`helpers.strokes.draw_strokes`): uint8, 0 paper to 255 ink."""
    return np.round(draw_strokes(strokes, CANVAS, pen) * 255).astype(np.uint8)


def save(ink: np.ndarray, style: str, path: Path) -> None:
    """Save ``ink`` as a canvas gives it (RGBA), as a drawing program (RGB) or as white on black."""
    if style == "rgba":  # transparent paper, the colour of the pen where there is ink
        rgba = np.zeros(ink.shape + (4,), dtype=np.uint8)
        rgba[ink > 0, :3] = (0, 0, 0)
        rgba[..., 3] = ink
        image = Image.fromarray(rgba)
    elif style == "rgb":  # blue-black ink on white paper
        share = ink[..., None] / 255
        paper, pen = np.array([255, 255, 255]), np.array([20, 25, 70])
        image = Image.fromarray(np.round(paper * (1 - share) + pen * share).astype(np.uint8))
    else:  # white on black, greyscale
        image = Image.fromarray(ink)
    image.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write to")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    styles = {"a": "rgba", "b": "rgb", "c": "grey", "d": "rgba"}
    for digit, shapes in SHAPES.items():
        for letter, style in styles.items():
            shape = shapes[0] if letter in "ac" else shapes[1]
            strokes, pen = place(shape, rng)
            save(draw(strokes, pen), style, args.out / f"{digit}_{letter}.png")
    print(f"wrote {len(SHAPES) * len(styles)} drawings to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
