"""Opening an image file that a learner gives the course, safely: the one door for images.

A learner may hand the course any file: a photo, a screenshot, a drawing, but also a file
that only pretends to be an image, a damaged one, or one made to do harm (a "decompression
bomb", a tiny file that unpacks to a gigantic image, or a PostScript program that never
ends). Every image file the course reads goes through :func:`open_image`, which

1. reads at most ``MAX_FILE_BYTES`` of the file;
2. tells its format from its first bytes (its "magic number"), never from its name, and
   opens only the formats the course promises: PNG, JPEG, GIF, BMP, TIFF and WebP. Pillow
   is told to use that one format's reader, so no other reader (Ghostscript for
   PostScript, say) is ever started;
3. reads the image's size from its header and refuses it, before decoding any pixel, if
   it has more than ``MAX_PIXELS`` pixels; a JPEG is decoded at a reduced size (1/2, 1/4
   or 1/8) when that is enough, and what is decoded may take at most ``MAX_DECODED_BYTES``
   in memory, whatever its mode (colour, grey, 16 bits ...), and be at most
   ``MAX_DECODED_SIDE`` pixels long (a long thin image costs more than its pixels);
4. decodes the first frame only (of an animation or a multi-page TIFF), turns it upright
   if the camera's EXIF data says so, and shrinks it at once so that its longer side is at
   most ``DRAFT_SIDE`` pixels;
5. turns any failure of a decoder, whatever it raises, into an :class:`ImageFileError`
   that names the file and says what is wrong, so that one bad file never stops the others.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import (BmpImagePlugin, GifImagePlugin, Image, ImageOps, JpegImagePlugin,
                 PngImagePlugin, TiffImagePlugin, WebPImagePlugin)

# The six readers above are imported by name, so Pillow never needs to load all its
# plugins (Image.init()) to find one of them.
_READERS = (BmpImagePlugin, GifImagePlugin, JpegImagePlugin, PngImagePlugin,
            TiffImagePlugin, WebPImagePlugin)

#: Files larger than this are refused unread (a phone photo is a few MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Images with more pixels than this (width x height, as the file declares) are refused.
MAX_PIXELS = 50_000_000
#: What is decoded may take at most this much memory (after a JPEG's reduced-size decode),
#: counted as the course holds it: 4 bytes a pixel for colour and for 16-bit grey (read as
#: 32-bit floats), 1 for 8-bit grey. A 12-megapixel photo in colour takes 47 MB.
MAX_DECODED_BYTES = 48 * 1024 * 1024
#: Neither side of what is decoded may be longer than this: decoders keep a few rows at
#: a time, so a long thin image (1 x 40,000,000 pixels) costs far more than its pixels.
MAX_DECODED_SIDE = 30_000
#: Images are shrunk to at most this side once decoded (a JPEG is decoded at 1/2, 1/4 or
#: 1/8 size when that keeps at least half of it).
DRAFT_SIDE = 1000
#: The EXIF tag in which a camera says how to turn the stored pixels to show them upright.
EXIF_ORIENTATION = 0x0112
#: The orientations that turn the image a quarter (its width becomes its height).
QUARTER_TURNS = (5, 6, 7, 8)
#: The key of an opened image's ``info`` that holds its (width, height), upright, before
#: it was decoded at a reduced size or shrunk.
FULL_SIZE = "full_size"

#: Each format the course opens, by the first bytes of its files, and Pillow's name for it.
FORMATS = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",  # little-endian TIFF
    b"MM\x00*": "TIFF",  # big-endian TIFF
}

ACCEPTED = "PNG, JPEG, GIF, BMP, TIFF or WebP"


class ImageFileError(ValueError):
    """A file that is not an image the course can read: not one of its formats, damaged,
    or too large to decode safely. The message names the file and says what is wrong."""


def image_format(head: bytes) -> str | None:
    """The format of a file that starts with ``head`` ("PNG", "JPEG" ...), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    for magic, name in FORMATS.items():
        if head.startswith(magic):
            return name
    return None


def open_image(source, name: str | None = None) -> Image.Image:
    """The first frame of the image file ``source``, decoded, as a PIL image.

    Parameters
    ----------
    source : a file path (str or Path), the bytes of an image file (as an upload widget
        gives them) or an open binary file
    name : what to call the file in messages (default: its path, or "the uploaded file")

    Raises
    ------
    FileNotFoundError if there is no such file; PermissionError if it may not be read;
    ImageFileError (a ValueError) if it is not a PNG, JPEG, GIF, BMP, TIFF or WebP image,
    is damaged or cut short, or is too large to decode safely.
    """
    data, name = _read_bytes(source, name)
    kind = image_format(data[:12])
    if kind is None:
        raise ImageFileError(f"{name} is not an image that can be read ({ACCEPTED}): open "
                             "it in an image viewer to check")
    try:
        with warnings.catch_warnings():  # the size is checked below, and damage raises
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data), formats=[kind])
            _check_size(image, name, image.size)
            full_size = image.size
            # JPEG: decode in grey at 1/2, 1/4 or 1/8 size, the smallest with at least
            # DRAFT_SIDE / 2 pixels a side (a 12-megapixel photo decodes to 1000 x 750)
            image.draft("L", (DRAFT_SIDE // 2, DRAFT_SIDE // 2))
            _check_size(image, name, image.size, decoded=True)
            image.load()  # the first frame: an animation or a TIFF opens at its first
            orientation = image.getexif().get(EXIF_ORIENTATION, 1)
            if orientation != 1:  # a phone held sideways: turn the image upright
                image = ImageOps.exif_transpose(image)
                if orientation in QUARTER_TURNS:
                    full_size = full_size[::-1]
            if image.mode in ("L", "LA", "RGB", "RGBA", "I", "F"):
                image.thumbnail((DRAFT_SIDE, DRAFT_SIDE))  # at once, before any copy is made
            image.info[FULL_SIZE] = full_size
            return image
    except ImageFileError:
        raise
    except Image.DecompressionBombError:  # Pillow's own, higher limit, met while opening
        raise ImageFileError(too_large_message(name, None, f"{MAX_PIXELS // 1_000_000} "
                                               "million pixels")) from None
    except Exception as exc:  # any decoder's failure, whatever its kind, is this file's
        raise ImageFileError(f"{name} looks like a {kind} image but could not be read "
                             f"({type(exc).__name__}: {exc}): is it damaged or cut "
                             "short?") from None


def image_name(source) -> str:
    """What to call the image file ``source`` in messages: its path, or what it is."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "the uploaded file"
    if hasattr(source, "read"):
        return str(getattr(source, "name", "the file"))
    return str(source)


def _read_bytes(source, name: str | None) -> tuple[bytes, str]:
    """At most ``MAX_FILE_BYTES`` + 1 bytes of ``source``, and the name of the file."""
    name = name or image_name(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(MAX_FILE_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no image file at {name}")
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImageFileError(f"{name} is larger than the {MAX_FILE_BYTES // 2**20} MB this "
                             "course reads: shrink it in an image editor, or crop it to the "
                             "digit, and try again.")
    return data, str(name)


def _check_size(image: Image.Image, name: str, size: tuple[int, int], decoded=False) -> None:
    """Refuse an image too large to decode safely, from the size its header declares."""
    width, height = size
    # Pillow keeps 1 byte a pixel for 1-bit, grey and palette images, 4 for anything else
    # (RGB too); 16-bit grey takes 2, but is read as 32-bit floats
    per_pixel = {"1": 1, "L": 1, "P": 1}.get(image.mode, 4)
    if width * height > MAX_PIXELS:
        limit = f"{MAX_PIXELS // 1_000_000} million pixels"
    elif decoded and width * height * per_pixel > MAX_DECODED_BYTES:
        limit = f"{MAX_DECODED_BYTES // 2**20} MB of memory when unpacked"
    elif decoded and max(width, height) > MAX_DECODED_SIDE:
        limit = f"{MAX_DECODED_SIDE:,} pixels on a side"
    else:
        return
    raise ImageFileError(too_large_message(name, size, limit))


def too_large_message(name: str, size: tuple[int, int] | None, limit: str) -> str:
    """Why an image too large to decode safely is refused, and what to do."""
    what = f"is {size[0]} x {size[1]} pixels" if size else "is far too large"
    return (f"{name} {what}, more than the {limit} this course reads (it may be a "
            "'decompression bomb', a small file that unpacks to a huge image). Shrink it "
            "in an image editor, or crop it to the digit, and try again.")
