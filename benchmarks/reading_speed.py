"""How long does the course take from an image to an answer?

Times, with the network that reads your digits (``helpers.saving.load_reading_network``,
as the pad and the command line use it; ``--model PATH`` for another), best of
``--repeat`` runs after a warm-up:

* a 12-megapixel phone photo (4000 x 3000 JPEG, made here by enlarging one of the sample
  photos of data/own_digits/photos/), from the file to the digit read (``read_digit``, as
  ``python -m helpers predict`` reads it); the course aims at under 0.5 s;
* the same for a 12-megapixel photo of a written number (``read_number``, as
  ``python -m helpers read-number`` reads it);
* a drawing as the pad gives it (280 x 280 RGBA, the ink in the alpha channel), from the
  array to the answer; the pad's budget is 20 ms;
* an 8-digit number on the number pad (``NumberPad``, a 280 x 840 canvas; its ink is one of
  the 8-digit sample drawings of data/own_digits/numbers/), from the ink to the answer
  shown: the number, and the picture of the boxes; the aim is under 50 ms.

Each line ends with ``PASS`` or ``OVER`` against its aim. It also prints the machine's
load average before and after: timings taken while other programs run are slower, so say
under what load they were taken.

Usage, from the top folder of the course::

    python benchmarks/reading_speed.py [--repeat 5] [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.drawing_pad import NumberPad  # noqa: E402
from helpers.own_digits import load_image, read_digit  # noqa: E402
from helpers.saving import BEST_MODEL, load_reading_network  # noqa: E402
from helpers.whole_numbers import read_number  # noqa: E402

OWN = ROOT / "data" / "own_digits"


def best_of(repeat: int, work) -> float:
    work()  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def photo_12mp(sample: Path, folder: Path) -> Path:
    """``sample`` enlarged to 12 megapixels (4000 x 3000, or 3000 x 4000 for a tall one),
    saved as a phone saves it: JPEG, with the sample's EXIF."""
    image = Image.open(sample)
    size = (4000, 3000) if image.width >= image.height else (3000, 4000)
    photo = folder / f"{sample.stem}_12mp.jpg"
    image.resize(size, Image.Resampling.BICUBIC).save(photo, quality=90,
                                                      exif=image.getexif().tobytes())
    return photo


def report(what: str, seconds: float, aim: float) -> None:
    shown = f"{seconds:.3f} s" if aim >= 0.1 else f"{seconds * 1000:.1f} ms"
    limit = f"{aim:g} s" if aim >= 0.1 else f"{aim * 1000:g} ms"
    print(f"{what}: {shown} (aim: under {limit}) {'PASS' if seconds < aim else 'OVER'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--model", type=Path, default=None,
                        help="the network to time (default: the pad's and predict's)")
    args = parser.parse_args(argv)
    network = load_reading_network(args.model)
    print(f"load average (1, 5, 15 min) before: {os.getloadavg()}, CPUs: {os.cpu_count()}")
    print(f"network: {args.model or BEST_MODEL.relative_to(ROOT)}")
    numbers = json.loads((OWN / "numbers" / "numbers.json").read_text())
    with tempfile.TemporaryDirectory() as folder:
        photo = photo_12mp(OWN / "photos" / "3_01.jpg", Path(folder))
        assert read_digit(network, photo).digit == 3
        report("12-megapixel photo of a digit, file to digit",
               best_of(args.repeat, lambda: read_digit(network, photo)), 0.5)
        entry = next(e for e in numbers if e["look"] != "drawing" and len(e["number"]) >= 6)
        photo = photo_12mp(OWN / "numbers" / entry["file"], Path(folder))
        report(f"12-megapixel photo of a {len(entry['number'])}-digit number, file to number",
               best_of(args.repeat, lambda: read_number(network, photo)), 0.5)
        print(f"  ({entry['file']} enlarged, read as {read_number(network, photo).number})")
    drawing = np.asarray(Image.open(OWN / "3_a.png"))
    report("pad drawing (280 x 280 RGBA), array to digit",
           best_of(args.repeat * 4, lambda: read_digit(network, drawing)), 0.020)
    entry = next(e for e in numbers if len(e["number"]) == 8 and e["look"] == "drawing")
    pad = NumberPad(network)
    ink = load_image(OWN / "numbers" / entry["file"])
    pad.ink[...] = np.asarray(Image.fromarray(ink).resize(pad.ink.shape[::-1],
                                                          Image.Resampling.BOX)).clip(0, 1)
    report("8-digit number on the pad (280 x 840), ink to number and boxes shown",
           best_of(args.repeat * 4, pad.read), 0.050)
    print(f"  ({entry['file']} on the number pad, read as {pad.read().number})")
    print(f"load average (1, 5, 15 min) after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
