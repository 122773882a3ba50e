"""A seeded fuzz test: hundreds of hostile files, fed to ``predict`` and to the pad's upload.

The files are made here from one drawing of a seven, saved in every format this Pillow can
write, then spoilt in the ways a careless or hostile file is: cut short, bits flipped, the
magic number of another format, sizes in the header made huge, PostScript, random bytes.
Each must give an answer or an error for that file, never a hang, a traceback or a flood
of memory. The files come from a seed, so a failure can be made again: the test prints
the seed and the name of each file that went wrong.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import textwrap
import warnings
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
SEED = 2026
#: A guard against a hang, not a measure of speed: the whole run takes well under a minute.
HANG_GUARD_SECONDS = 600
#: Reading all the files may raise the peak memory of the process by at most this much
#: above what reading one good drawing takes (an accepted image may take up to about
#: 170 MB while it is decoded: see helpers/image_files.py).
MEMORY_BOUND_MB = 300

POSTSCRIPT = [b"%!PS-Adobe-3.0\n{ } loop\n", b"%!PS\n/a { a } def a\n",
              b"\xc5\xd0\xd3\xc6" + struct.pack("<6I", 30, 20, 0, 0, 0, 0) + b"%!PS\n{ } loop\n"]


def seven() -> Image.Image:
    image = Image.new("L", (64, 48), 255)
    ImageDraw.Draw(image).line([(14, 8), (50, 8), (28, 42)], fill=0, width=5)
    return image


def every_format() -> dict[str, bytes]:
    """The seven saved in every format that this Pillow can write, by format name."""
    Image.init()  # here, in the test, to know every format; the course never does this
    saved = {}
    for name in sorted(Image.SAVE):
        for mode in ("L", "RGB", "RGBA", "1", "P"):
            buffer = io.BytesIO()
            try:
                with warnings.catch_warnings():  # some formats are deprecated: still made
                    warnings.simplefilter("ignore")
                    seven().convert(mode).save(buffer, format=name)
            except Exception:  # this format does not take this mode, or needs a program
                continue
            if buffer.getvalue():
                saved[name] = buffer.getvalue()
                break
    return saved


def with_crc(chunk: bytes) -> bytes:
    """A PNG chunk (length, type, data) with its CRC put right."""
    return chunk + struct.pack(">I", zlib.crc32(chunk[4:]) & 0xFFFFFFFF)


def huge_sizes(formats: dict[str, bytes]) -> dict[str, bytes]:
    """Files of the six formats whose headers declare gigantic images."""
    png = formats["PNG"]
    ihdr = png[8:12] + b"IHDR" + struct.pack(">II", 0x7FFFFFFF, 0x7FFFFFFF) + png[24:29]
    out = {"png_huge": png[:8] + with_crc(ihdr) + png[33:],
           "png_wide": png[:8] + with_crc(png[8:16] + struct.pack(">II", 40_000_000, 1)
                                          + png[24:29]) + png[33:]}
    gif = bytearray(formats["GIF"])
    struct.pack_into("<HH", gif, 6, 65535, 65535)
    out["gif_huge"] = bytes(gif)
    bmp = bytearray(formats["BMP"])
    struct.pack_into("<ii", bmp, 18, 2_000_000_000, -2_000_000_000)
    out["bmp_huge"] = bytes(bmp)
    jpeg = bytearray(formats["JPEG"])
    sof = max(jpeg.find(b"\xff\xc0"), jpeg.find(b"\xff\xc2"))
    struct.pack_into(">HH", jpeg, sof + 5, 65500, 65500)
    out["jpeg_huge"] = bytes(jpeg)
    tiff = bytearray(formats["TIFF"])
    first = struct.unpack_from("<I", tiff, 4)[0]
    for entry in range(struct.unpack_from("<H", tiff, first)[0]):
        at = first + 2 + 12 * entry
        if struct.unpack_from("<H", tiff, at)[0] in (256, 257):  # width, height
            struct.pack_into("<HHI", tiff, at + 2, 4, 1, 3_000_000_000)  # LONG
    out["tiff_huge"] = bytes(tiff)
    webp = bytearray(formats["WEBP"])
    out["webp_huge"] = bytes(webp[:26] + b"\xff\x3f\xff\x3f" + webp[30:])
    return out


def hostile_files(seed: int = SEED) -> dict[str, bytes]:
    """A few hundred hostile files, by name, all made from ``seed``."""
    rng = np.random.default_rng(seed)
    formats = every_format()
    files = {f"format_{name.lower()}": data for name, data in formats.items()}
    files.update(huge_sizes(formats))
    files.update({f"postscript_{i}.png": data for i, data in enumerate(POSTSCRIPT)})
    accepted = [formats[name] for name in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")]
    others = list(formats.values())
    for i in range(60):  # cut short
        data = accepted[i % len(accepted)]
        files[f"truncated_{i}"] = data[:int(rng.integers(1, len(data)))]
    for i in range(120):  # bits flipped, in the six formats and in others
        data = bytearray(accepted[i % len(accepted)] if i % 3 else others[i % len(others)])
        for at in rng.integers(0, len(data), size=int(rng.integers(1, 12))):
            data[at] ^= 1 << int(rng.integers(0, 8))
        files[f"flipped_{i}"] = bytes(data)
    for i in range(36):  # the magic number of one format on the body of another
        head, body = accepted[i % 6], accepted[(i // 6) % 6]
        files[f"wrong_magic_{i}"] = head[:12] + body[12:]
    for i in range(20):  # random bytes behind an accepted magic number, and plain noise
        magic = accepted[i % 6][:12] if i % 2 else b""
        files[f"random_{i}"] = magic + rng.bytes(int(rng.integers(0, 4000)))
    return files


DRIVER = textwrap.dedent("""
    import json, sys, warnings
    from datetime import datetime, timezone
    from pathlib import Path

    def peak_mb():
        with open("/proc/self/status") as status:
            return int([l.split()[1] for l in status if l.startswith("VmHWM:")][0]) / 1024

    from helpers.__main__ import main
    from helpers.drawing_pad import DrawingPad
    from helpers.own_digits import read_digit
    from helpers.saving import DEFAULT_MODEL, load_network

    folder, good = Path(sys.argv[1]), sys.argv[2]
    network = load_network(DEFAULT_MODEL)
    read_digit(network, good)
    pad = DrawingPad(network)
    baseline = peak_mb()
    files = sorted(folder.iterdir())
    code = main(["predict", "--json", *map(str, files)])  # prints the JSON list
    uploads = {}
    for path in files:
        pad.clear()
        pad.draw_strokes([[(140, 40), (140, 240)]])
        pad.upload.value = ({"name": path.name, "type": "", "size": path.stat().st_size,
                             "content": memoryview(path.read_bytes()),
                             "last_modified": datetime.now(timezone.utc)},)
        kept = len(pad.strokes) == 1
        uploads[path.name] = "error" if "Could not read" in pad.answer.value and kept else (
            "read" if pad._picture is not None else "neither")
    print(json.dumps({"exit": code, "uploads": uploads, "growth_mb": peak_mb() - baseline,
                      "plugins": sorted(m for m in sys.modules if m.endswith("ImagePlugin"))}))
""")


def test_hostile_files_get_an_answer_or_an_error_each(tmp_path):
    files = hostile_files()
    assert len(files) >= 250
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    good = ROOT / "data" / "own_digits" / "7_a.png"
    result = subprocess.run([sys.executable, "-c", DRIVER, str(tmp_path), str(good)],
                            cwd=ROOT, capture_output=True, text=True,
                            timeout=HANG_GUARD_SECONDS)
    context = f"seed {SEED}; stderr: {result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr, context
    answers_text, _, summary_text = result.stdout.rpartition("\n{")
    answers = json.loads(answers_text)
    summary = json.loads("{" + summary_text)

    # predict: one result per file, in order, each an answer or an error for that file
    assert [Path(answer["file"]).name for answer in answers] == sorted(files)
    for answer in answers:
        if answer["digit"] is None and answer["confidence"] is None:
            assert Path(answer["file"]).name in answer["error"], answer
        else:
            assert 0 <= answer["digit"] <= 9 and "error" not in answer, answer
    errors = sum("error" in answer for answer in answers)
    assert summary["exit"] == 1 and 0 < errors < len(files)
    read = {Path(answer["file"]).name for answer in answers if "error" not in answer}
    assert {"format_png", "format_jpeg", "format_gif", "format_bmp", "format_tiff",
            "format_webp"} <= read
    assert not any(name.startswith(("postscript", "format_eps", "format_pdf"))
                   or name.endswith("_huge") for name in read)

    # the pad: every upload is read or refused with a message that keeps the drawing
    assert set(summary["uploads"]) == set(files)
    assert "neither" not in summary["uploads"].values(), summary["uploads"]
    assert {name for name, what in summary["uploads"].items() if what == "read"} == read

    # memory, and no reader beyond the six formats' (JPEG brings MPO, Pillow's start PPM)
    assert summary["growth_mb"] < MEMORY_BOUND_MB, summary["growth_mb"]
    allowed = {f"PIL.{name}ImagePlugin" for name in
               ("Bmp", "Gif", "Jpeg", "Png", "Tiff", "WebP", "Ppm", "Mpo")}
    assert set(summary["plugins"]) <= allowed, summary["plugins"]
