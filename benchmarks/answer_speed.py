"""How quickly does each shipped network answer, and MNIST load, on this machine?

Times, in one run, side by side:

* each network that ships, reading a drawing as the drawing pad does: preparing the
  drawing like MNIST, then the network's answer (``helpers.own_digits.read_digit``), on
  the 40 sample drawings of ``data/own_digits/`` loaded first as arrays, as the pad holds
  its ink. A live answer must keep up with the pen: the budget is 20 ms;
* a large photo (6000 x 4000 pixels), as a file and as an array;
* ``load_mnist("train")``, 60,000 images.

These are times, so they live here and not in the tests: they depend on the machine and on
what else it is doing. The tests check what the code does; this script says how fast.
(``benchmarks/reading_speed.py`` times phone photos, a drawing and a whole number on the
number pad, with the network that reads your digits.)

Usage, from the top folder of the course::

    python benchmarks/answer_speed.py

The last line is ``ratio_to_budget=<the slowest network's median ms per drawing / 20 ms>``
(below 1: every shipped network answers within the live budget).
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.data import DATA_DIR, load_mnist  # noqa: E402
from helpers.own_digits import read_digit  # noqa: E402
from helpers.saving import MODELS_DIR, load_network  # noqa: E402

LIVE_BUDGET_MS = 20.0
REPEAT = 5


def median_ms(action, repeat: int = REPEAT) -> float:
    action()  # the first call may pay for setting things up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def photo() -> np.ndarray:
    """A 6000 x 4000 grey photo-like picture of a dark 7 on unevenly lit paper."""
    small = Image.new("L", (600, 400), 0)
    ImageDraw.Draw(small).line([(200, 80), (400, 80), (260, 330)], fill=255, width=14)
    ink = np.asarray(small.resize((6000, 4000)), dtype=np.float32)
    light = np.linspace(190, 215, 6000, dtype=np.float32)[None, :]
    grey = np.clip(light - ink * 0.7, 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def main() -> int:
    paths = sorted((DATA_DIR / "own_digits").glob("*.png"))
    drawings = [np.asarray(Image.open(path)) for path in paths]
    print(f"Reading one drawing (prepare + answer), median of {REPEAT} passes over "
          f"{len(drawings)} drawings; the live budget is {LIVE_BUDGET_MS:g} ms")
    slowest = 0.0
    for path in sorted(MODELS_DIR.glob("*.npz")):
        network = load_network(path)
        total = median_ms(lambda: [read_digit(network, drawing) for drawing in drawings])
        per_drawing = total / len(drawings)
        slowest = max(slowest, per_drawing)
        print(f"  {path.name:24} {per_drawing:6.2f} ms per drawing")

    picture = photo()
    file = io.BytesIO()
    Image.fromarray(picture).save(file, format="JPEG", quality=90)
    network = load_network(sorted(MODELS_DIR.glob("*.npz"))[0])
    as_file = median_ms(lambda: read_digit(network, file.getvalue()), 3)
    as_array = median_ms(lambda: read_digit(network, picture), 3)
    print(f"A 6000 x 4000 photo: {as_file:.0f} ms as a JPEG file, {as_array:.0f} ms as an array")

    start = time.perf_counter()
    load_mnist("train")
    print(f"load_mnist('train'): {time.perf_counter() - start:.2f} s")
    print(f"ratio_to_budget={slowest / LIVE_BUDGET_MS:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
