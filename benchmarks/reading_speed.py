"""How long does the course take from an image to an answer?

Times, with the default network (best of ``--repeat`` runs, after a warm-up):

* a 12-megapixel phone photo (4000 x 3000 JPEG, made here by enlarging one of the sample
  photos of data/own_digits/photos/), from the file to the digit read (``read_digit``);
  the course aims at under 0.5 s;
* a drawing as the pad gives it (280 x 280 RGBA, the ink in the alpha channel), from the
  array to the answer; the pad's budget is 20 ms;
* an 8-digit number drawn on a wide canvas (one of data/own_digits/numbers/, as an
  array), from the array to the whole number (``read_number``); the aim is under 50 ms.

It also prints the machine's load average: timings taken while other programs run are
slower, so say under what load they were taken.

Usage, from the top folder of the course::

    python benchmarks/reading_speed.py [--repeat 5]
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

from helpers.own_digits import read_digit  # noqa: E402
from helpers.saving import DEFAULT_MODEL, load_network  # noqa: E402
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    network = load_network(DEFAULT_MODEL)
    print(f"load average (1, 5, 15 min): {os.getloadavg()}, CPUs: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as folder:
        sample = Image.open(OWN / "photos" / "3_01.jpg")
        photo = Path(folder) / "photo_12mp.jpg"
        sample.resize((4000, 3000), Image.Resampling.BICUBIC).save(
            photo, quality=90, exif=sample.getexif().tobytes())
        assert read_digit(network, photo).digit == 3
        seconds = best_of(args.repeat, lambda: read_digit(network, photo))
        print(f"12-megapixel photo, file to digit: {seconds:.3f} s (aim: under 0.5 s)")
    drawing = np.asarray(Image.open(OWN / "3_a.png"))
    seconds = best_of(args.repeat * 4, lambda: read_digit(network, drawing))
    print(f"pad drawing (280 x 280 RGBA), array to digit: {seconds * 1000:.1f} ms "
          "(budget: 20 ms)")
    entries = json.loads((OWN / "numbers" / "numbers.json").read_text())
    entry = next(e for e in entries if len(e["number"]) == 8 and e["look"] == "drawing")
    number = np.asarray(Image.open(OWN / "numbers" / entry["file"]))
    seconds = best_of(args.repeat * 4, lambda: read_number(network, number))
    print(f"8-digit number drawn ({number.shape[1]} x {number.shape[0]}), array to number: "
          f"{seconds * 1000:.1f} ms (aim: under 50 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
