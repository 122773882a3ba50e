"""Compare ways of telling ink from paper on the sample photos: the measurement behind the
choice made in helpers/own_digits.py.

For each method, on the photos of data/own_digits/photos/ (see tools/make_photos.py), it
prints how many the default network reads right, and how much of the ink found lies outside
the box where the digit was rendered (shadows, ruled lines, grain or JPEG blocks taken for
ink), as the mean share over the photos and the number of photos with more than 1 %:

* ``border``: the paper is the colour of the image's border; ink is any difference from
  it above a tenth of the strongest (what the course did before photos were handled);
* ``flat+share``: the page's light flattened (``paper_light``), then a fixed share of the
  strongest contrast as the threshold;
* ``flat+sauvola``: flattened, then Sauvola's local threshold from scikit-image (if it is
  installed; it is not a course dependency);
* ``flat+otsu``: flattened, then Otsu's threshold (what the course does).

Usage, from the top folder of the course::

    python tools/compare_ink_methods.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from unittest import mock

import numpy as np
from scipy import ndimage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers import own_digits  # noqa: E402
from helpers.saving import DEFAULT_MODEL, load_network  # noqa: E402

PHOTOS = ROOT / "data" / "own_digits" / "photos"
SHIPPED = own_digits._ink_from_luminance


def border(luminance: np.ndarray) -> np.ndarray:
    edge = np.concatenate([luminance[0], luminance[-1], luminance[:, 0], luminance[:, -1]])
    paper = float(np.median(edge))
    return np.clip(paper - luminance if paper >= 0.5 else luminance - paper, 0, 1)


def flattened(luminance: np.ndarray) -> np.ndarray:
    dark = own_digits._ink_is_dark(luminance)
    light = own_digits.paper_light(luminance, dark)
    contrast = ((light - luminance) / np.maximum(light, own_digits.DIMMEST_PAPER) if dark
                else luminance - light)
    return np.clip(contrast, 0, 1).astype(np.float32)


def share(level: float):
    def method(luminance):
        contrast = flattened(luminance)
        return np.where(contrast > level * contrast.max(), contrast, 0)
    return method


def sauvola(luminance: np.ndarray) -> np.ndarray:
    from skimage.filters import threshold_sauvola
    contrast = flattened(luminance)
    smooth = ndimage.uniform_filter(contrast, size=3)
    return np.where(smooth > threshold_sauvola(smooth, window_size=25), contrast, 0)


def measure(method, network, manifest) -> tuple[int, float, int]:
    right, strays = 0, []
    with mock.patch.object(own_digits, "_ink_from_luminance", method):
        for entry in manifest:
            path = PHOTOS / entry["file"]
            right += own_digits.read_digit(network, path).digit == entry["digit"]
            ink = own_digits.load_image(path)
            left, top, right_edge, bottom = entry["box"]
            inside = np.zeros(ink.shape, dtype=bool)
            inside[max(0, top - 3):bottom + 4, max(0, left - 3):right_edge + 4] = True
            strays.append(ink[~inside].sum() / max(ink.sum(), 1e-9))
    return right, float(np.mean(strays)), int((np.array(strays) > 0.01).sum())


def main() -> int:
    network = load_network(DEFAULT_MODEL)
    manifest = json.loads((PHOTOS / "photos.json").read_text())
    methods = {"border": border, "flat+share 0.2": share(0.2), "flat+share 0.3": share(0.3),
               "flat+sauvola": sauvola, "flat+otsu": SHIPPED}
    print(f"{'method':<16} {'read right':>10} {'stray ink':>10} {'photos >1% stray':>17}")
    for name, method in methods.items():
        try:
            right, stray, bad = measure(method, network, manifest)
        except ImportError:
            print(f"{name:<16} (needs scikit-image: pip install scikit-image)")
            continue
        print(f"{name:<16} {right:>5}/{len(manifest):<4} {stray:>10.4f} {bad:>17}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
