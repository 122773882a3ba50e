"""Your own digits: prepare any image the way MNIST digits were prepared, and read it.

MNIST digits were not just shrunk to 28 x 28. Each was prepared in a particular way, and a
network trained on them expects the same of every image it reads:

1. find the ink, and crop the image to it;
2. fit the ink into a 20 x 20 box, keeping its proportions (anti-aliased, so the edges
   of the strokes become grey);
3. place that box in a 28 x 28 image so that the ink's centre of mass is at the centre,
   pixel (14, 14);
4. scale the pixels like the training data, to 0.01..1.0.

:func:`prepare` does all of that (and :func:`prepare_steps` returns every step as an
image, to look at); :func:`naive_resize` only shrinks the whole image to 28 x 28, as the
classic course did, for comparison. :func:`read_digit` prepares an image and asks a network
which digit it is, with a word of warning when the answer should not be trusted.

An image can be a file path, a PIL image, a NumPy array or the bytes of an image file, in
colour or grey, 8 or 16 bits, dark ink on light paper or light on dark, or with the ink in
the alpha channel (transparent paper), as a web canvas gives it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

from .data import IMAGE_SIDE, scale_pixels
from .image_files import (EXIF_ORIENTATION, FULL_SIZE, MAX_PIXELS, QUARTER_TURNS,
                          ImageFileError, image_name, open_image, too_large_message)
from .evaluation import confidence as share_of_top_output

#: The box that MNIST fits the ink into, and the pixel that its centre of mass goes to.
BOX_SIDE = 20
CENTRE = (14, 14)  # (row, column): where the centre of mass of MNIST digits lies

#: Larger images are shrunk to this side as soon as they are opened, to stay quick.
MAX_SIDE = 1000

#: An image whose darkest ink differs from the paper by less than this (on a scale of
#: 0..1) is blank.
MIN_CONTRAST = 0.1
#: Ink weaker than this share of the strongest ink is taken for paper (noise, shadows).
PAPER_LEVEL = 0.1
#: The digit's box holds every pixel with at least this share of the strongest ink (the
#: cores of the strokes), so that grain or a shadow elsewhere on a photo does not count.
INK_CORE = 0.5

#: A reading whose confidence is below this is marked unsure.
UNSURE_BELOW = 0.5
#: Ink whose longer side is less than this share of the image's longer side is a dot or
#: a tiny scribble: too small to read with any confidence.
TINY_INK = 0.15
#: Ink that covers more than this share of its (roughly square) box is a blob or a big
#: dot, not strokes: a filled disc covers 0.79, MNIST digits at most about 0.6.
BLOB_COVER = 0.7
#: Ink whose pixels are less alike their neighbours than this is noise, not strokes. A
#: stroke's pixels are like their neighbours along it: the correlation of each pixel with
#: the next one (see :func:`neighbour_likeness`) is 0.95 or more for the course's samples
#: and below 0.3 for 2 of the 10,000 MNIST test digits; images of pure random noise
#: (uniform, Gaussian, salt and pepper, in colour; 28 x 28 to 3000 x 2500 pixels) gave
#: 0.21 at most.
NOISE_BELOW = 0.3

BLANK_MESSAGE = "Draw a digit first"


class NoDigitError(ValueError):
    """The image is blank: there is no ink to read. Draw a digit first."""


# -- 1. loading: any image in, ink as a 2-D float array out ----------------------------------

def load_image(source) -> np.ndarray:
    """Load ``source`` as a 2-D float array: ink 0..1 (strongest ink 1), paper 0.

    Parameters
    ----------
    source : a file path (str or Path), a PIL image, a NumPy array (height x width, or
        height x width x 1, 3 or 4 channels; uint8, uint16, bool or float 0..1), or the
        bytes of an image file (as an upload widget gives them).

    The paper is the colour of most of the border; ink is what differs from it, so dark
    ink on light paper and light ink on dark paper both work. When the alpha channel is
    not the same everywhere (a web canvas: transparent paper, opaque strokes), the ink is
    the alpha channel. Of an animated or multi-page image, the first frame is read.
    Images larger than ``MAX_SIDE`` pixels are shrunk first (large photos stay quick). A
    blank image gives all zeros.

    Raises
    ------
    FileNotFoundError if there is no such file; ValueError if the file is not an image,
    is damaged, or has more than ``MAX_PIXELS`` pixels (a possible decompression bomb).
    """
    return load_ink(source)[0]


def load_ink(source) -> tuple[np.ndarray, tuple[int, int]]:
    """The ink of ``source``, as :func:`load_image` gives it, and the (height, width) of the
    upright image before it was shrunk: to tell where in the image a piece of ink lies."""
    if isinstance(source, np.ndarray):
        luminance, alpha, size = _channels_of_array(source)
    elif isinstance(source, Image.Image):
        luminance, alpha, size = _channels_of_image(source, name="the image")
    else:
        luminance, alpha, size = _channels_of_file(source)
    ink = alpha if _varies(alpha) else _ink_from_luminance(luminance)
    return _shrink(_stretch(ink)), size


def _channels_of_file(source) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
    """Open an image file (a path or its bytes) through the course's one door for image
    files, :func:`helpers.image_files.open_image`, and read its first frame."""
    name = image_name(source)
    with open_image(source, name) as image:
        try:
            return _channels_of_image(image, name)
        except Exception as exc:  # an unusual mode or damage found late: still this file's
            raise ImageFileError(f"{name} could not be read ({type(exc).__name__}: {exc})") \
                from None


def _channels_of_image(image: Image.Image, name: str
                       ) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
    """Luminance 0..1 and alpha 0..1 (None if the image has none) of a PIL image, and the
    (height, width) of the upright image at full size."""
    if image.width * image.height > MAX_PIXELS:
        raise ValueError(too_large_message(name, image.size,
                                           f"{MAX_PIXELS // 1_000_000} million pixels"))
    if image.tell() != 0:
        image.seek(0)  # an animation or a multi-page image left at a later frame: the first
    # JPEG: decode at 1/2, 1/4 or 1/8 size, fast (the smallest with at least MAX_SIDE / 2
    # pixels a side: a 12-megapixel photo is decoded at 1000 x 750). A file opened by
    # helpers.image_files.open_image is already decoded so, and already upright; its size
    # before it was shrunk is in its info.
    width, height = image.info.get(FULL_SIZE, image.size)
    image.draft("L", (MAX_SIDE // 2, MAX_SIDE // 2))
    orientation = image.getexif().get(EXIF_ORIENTATION, 1)
    if orientation != 1:  # a phone held sideways: turn the image upright
        image = ImageOps.exif_transpose(image)
        if orientation in QUARTER_TURNS:
            width, height = height, width
    size = (height, width)
    if image.mode.startswith("I") or image.mode == "F":  # 16-bit, 32-bit or float grey
        top = 65535.0 if image.mode.startswith("I;16") else None
        image = image.convert("F")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        values = np.asarray(image)
        return _as_unit_floats(values, top or _full_scale(values)), None, size
    has_alpha = "A" in image.mode or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "L")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if not has_alpha:
        return np.asarray(image, dtype=np.float32) / 255, None, size
    channels = np.asarray(image.convert("LA"), dtype=np.float32) / 255
    return channels[..., 0], channels[..., 1], size


def _channels_of_array(array: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
    """Luminance 0..1 and alpha 0..1 (or None) of an image given as an array, and its
    (height, width)."""
    if array.ndim == 1 and array.size == IMAGE_SIDE * IMAGE_SIDE:  # an MNIST row
        array = array.reshape(IMAGE_SIDE, IMAGE_SIDE)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ValueError(f"an image array has shape (height, width) or (height, width, 3 or "
                         f"4 channels), not {array.shape}")
    if array.size == 0:
        raise ValueError("the image is empty (0 pixels)")
    if array.dtype == np.uint8:  # the usual case (a canvas, a photo): Pillow does it quickly
        return _channels_of_image(Image.fromarray(array), name="the image")
    top, size = _full_scale(array), array.shape[:2]
    factor = -(-max(array.shape[:2]) // MAX_SIDE)  # shrink large arrays first: quicker
    if factor > 1:
        height, width = (array.shape[0] // factor) * factor, (array.shape[1] // factor) * factor
        array = array[:height, :width].astype(np.float32).reshape(
            height // factor, factor, width // factor, factor, *array.shape[2:]).mean(axis=(1, 3))
    values = _as_unit_floats(array, top)
    if values.ndim == 2:
        return values, None, size
    luminance = values[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return luminance, (values[..., 3] if values.shape[2] == 4 else None), size


def _full_scale(array: np.ndarray) -> float:
    """The value of full ink (or white) in ``array``: 255 for uint8, 65535 for uint16 ...

    Floats up to 1 are taken as 0..1, larger ones as 0..255 or 0..65535, whichever fits.
    """
    if array.dtype in (np.uint8, np.uint16, bool):
        return {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(array.dtype, 1.0)
    largest = float(np.nanmax(array)) if array.size else 1.0
    return 1.0 if largest <= 1 else 255.0 if largest <= 255 else 65535.0


def _as_unit_floats(array: np.ndarray, top: float) -> np.ndarray:
    """Pixel values as float32 0..1: ``array`` divided by ``top``, its full scale."""
    values = array.astype(np.float32)
    if not np.isfinite(values).all():
        raise ValueError("the image array contains NaN or infinite values")
    return np.clip(values / np.float32(top), 0, 1)


def _varies(alpha: np.ndarray | None) -> bool:
    """Whether an alpha channel holds a drawing (transparent paper, opaque ink)."""
    return alpha is not None and float(alpha.max() - alpha.min()) >= MIN_CONTRAST


def _ink_from_luminance(luminance: np.ndarray) -> np.ndarray:
    """Ink 0..1 from luminance: how far each pixel stands out from the paper around it.

    A photo's paper is not one colour: light falls unevenly, a shadow darkens one side, the
    corners are darker. So the paper's brightness is estimated everywhere
    (:func:`paper_light`), and each pixel is compared with the paper where it lies: its
    *contrast*. The paper's grain, ruled lines, sensor noise and JPEG blocks are faint
    beside the ink; a threshold that the image itself sets (Otsu's, :func:`otsu_threshold`)
    separates them from the cores of the strokes, whose soft edges are kept with them. On
    a clean screen drawing the paper's light is the same everywhere, and the ink is what
    it always was.
    """
    dark_ink = _ink_is_dark(luminance)
    light = paper_light(luminance, dark_ink)
    if dark_ink:  # the share of the paper's light that the ink takes away
        contrast = (light - luminance) / np.maximum(light, DIMMEST_PAPER)
    else:  # light ink on a dark board: how much lighter than the board
        contrast = luminance - light
    contrast = np.clip(contrast, 0, 1).astype(np.float32, copy=False)
    # single pixels of noise stand out less once averaged with their neighbours; strokes,
    # a few pixels wide, keep their contrast
    smooth = ndimage.uniform_filter(contrast, size=3)
    if float(smooth.max()) < MIN_CONTRAST:
        return np.zeros(contrast.shape, dtype=np.float32)  # blank: not even faint ink
    cores = smooth > otsu_threshold(smooth)
    # the soft (anti-aliased) edges of the strokes are ink too: keep what lies next to a core
    return np.where(ndimage.maximum_filter(cores, size=EDGE), contrast, 0)


#: The paper's light is estimated over windows of this share of the image's longer side:
#: wider than any pen stroke, so that the ink is no part of the paper's light.
LIGHT_WINDOW = 1 / 10
#: Paper darker than this (0..1) is taken to be this bright when the ink's contrast is
#: measured as a share of the paper's light: black paper is not a page in deep shadow.
DIMMEST_PAPER = 0.2
#: The soft edge of a stroke, kept with the stroke's core: this many pixels across, the
#: core's pixel in the middle.
EDGE = 5


def _ink_is_dark(luminance: np.ndarray) -> bool:
    """Whether the ink is darker than the paper. The paper is most of the image, so its
    typical (median) brightness is the paper's; the ink lies at one extreme, and lies
    further from it than anything on the other side (a bright spot of light, say)."""
    step = max(1, max(luminance.shape) // 256)  # every pixel is not needed to know it
    darkest, paper, lightest = np.percentile(luminance[::step, ::step], [0.5, 50, 99.5])
    return paper - darkest >= lightest - paper


def paper_light(luminance: np.ndarray, dark_ink: bool) -> np.ndarray:
    """The brightness the paper has at each pixel of ``luminance``, without the ink.

    A morphological *closing* does it: each pixel takes the brightest value around it,
    then the darkest value around that, over square windows of ``LIGHT_WINDOW`` of the
    image's longer side. Dark strokes narrower than the window vanish, while the edges of
    shadows and gradients stay exactly where they are. For light ink on a dark board, an
    *opening* (darkest, then brightest) does the same the other way round. The luminance
    is first averaged over 3 x 3 pixels, so that single noisy pixels do not count.
    """
    window = max(3, round(max(luminance.shape) * LIGHT_WINDOW))
    remove_ink = ndimage.grey_closing if dark_ink else ndimage.grey_opening
    return remove_ink(ndimage.uniform_filter(luminance, size=3), size=window)


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """The level that best separates ``values`` (0..1) into two groups, by Otsu's method:
    the level at which the two groups' means lie furthest apart, weighted by the groups'
    sizes (the between-group variance is largest)."""
    counts = np.bincount(np.minimum(values * bins, bins - 1).astype(np.intp).ravel(),
                         minlength=bins)
    edges = np.linspace(0, 1, bins + 1)
    shares, levels = counts / counts.sum(), (edges[:-1] + edges[1:]) / 2
    below = np.cumsum(shares)  # share of values at or below each level
    mass = np.cumsum(shares * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mass[-1] * below - mass) ** 2 / (below * (1 - below))
    if np.isnan(between).all():  # all the values are alike: nothing to separate
        return float(edges[np.argmax(counts) + 1])
    return float(edges[np.nanargmax(between) + 1])  # the upper edge of the lower group


def _stretch(ink: np.ndarray) -> np.ndarray:
    """The strongest ink becomes 1; ink weaker than ``PAPER_LEVEL`` of it becomes paper (0)."""
    strongest = float(ink.max())
    if strongest < MIN_CONTRAST:
        return np.zeros(ink.shape, dtype=np.float32)
    floor = PAPER_LEVEL * strongest
    return np.clip((ink - floor) / (strongest - floor), 0, 1).astype(np.float32)


def _shrink(ink: np.ndarray) -> np.ndarray:
    """``ink`` shrunk (anti-aliased) so that its longer side is at most ``MAX_SIDE``."""
    if max(ink.shape) <= MAX_SIDE:
        return ink
    image = Image.fromarray(ink.astype(np.float32))
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return np.asarray(image, dtype=np.float32)


# -- 2. preparing like MNIST ------------------------------------------------------------

def _resize(ink: np.ndarray, height: int, width: int) -> np.ndarray:
    """``ink`` resized to ``height`` x ``width``, anti-aliased (each new pixel averages
    the old pixels it covers)."""
    image = Image.fromarray(ink.astype(np.float32))
    resized = image.resize((width, height), Image.Resampling.BOX)
    return np.clip(np.asarray(resized, dtype=np.float32), 0, 1)


def _ink_box(ink: np.ndarray) -> tuple[slice, slice]:
    """The rows and columns of the smallest rectangle that holds the ink: every pixel
    with at least ``INK_CORE`` of the strongest ink."""
    strongest = float(ink.max())
    if strongest == 0:
        raise NoDigitError(f"The image is blank: there is no ink to read. {BLANK_MESSAGE}.")
    core = ink >= INK_CORE * strongest
    rows, columns = np.nonzero(core.any(axis=1))[0], np.nonzero(core.any(axis=0))[0]
    return slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1)


def prepare_steps(source) -> dict[str, np.ndarray]:
    """Prepare ``source`` like MNIST, keeping each step as an image (ink 0..1, paper 0).

    Returns
    -------
    A dict of the steps, in order:

    * ``"loaded"``: the image as :func:`load_image` gives it;
    * ``"cropped"``: cropped to the ink;
    * ``"fitted_20x20"``: shrunk (or grown) so that its longer side is 20 pixels, keeping
      its proportions, shown in the middle of the 20 x 20 box;
    * ``"centred_28x28"``: placed in 28 x 28 with its centre of mass at pixel (14, 14)
      (as near as the frame allows: the ink is never pushed out of the image);
    * ``"inputs"``: the 784 inputs of the network, float32 0.01..1.0, as
      :func:`helpers.data.scale_pixels` scales the training data.

    Raises
    ------
    NoDigitError if the image is blank; see :func:`load_image` for the other errors.
    """
    return prepare_ink(load_image(source))


def prepare_ink(loaded: np.ndarray) -> dict[str, np.ndarray]:
    """The steps of :func:`prepare_steps`, from ink already found (as :func:`load_image`
    gives it: 0..1, paper 0), such as one digit of a whole number."""
    rows, columns = _ink_box(loaded)
    cropped = loaded[rows, columns]

    height, width = cropped.shape
    scale = BOX_SIDE / max(height, width)
    fitted = _resize(cropped, max(1, round(height * scale)), max(1, round(width * scale)))
    fitted /= max(float(fitted.max()), 1e-6)  # thin strokes: full ink in the middle, as MNIST
    height, width = fitted.shape
    box = np.zeros((BOX_SIDE, BOX_SIDE), dtype=np.float32)
    top, left = (BOX_SIDE - height) // 2, (BOX_SIDE - width) // 2
    box[top:top + height, left:left + width] = fitted

    # move the centre of mass to CENTRE, by whole pixels, keeping all the ink in the frame
    mass_row, mass_column = ndimage.center_of_mass(fitted)
    top = int(np.clip(round(CENTRE[0] - mass_row), 0, IMAGE_SIDE - height))
    left = int(np.clip(round(CENTRE[1] - mass_column), 0, IMAGE_SIDE - width))
    centred = np.zeros((IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32)
    centred[top:top + height, left:left + width] = fitted

    return {"loaded": loaded, "cropped": cropped, "fitted_20x20": box,
            "centred_28x28": centred, "inputs": scale_pixels(centred.ravel() * 255)}


def prepare(source) -> np.ndarray:
    """The 784 network inputs of ``source``, prepared like MNIST (float32, 0.01..1.0).

    Find the ink, crop to it, fit it into 20 x 20 keeping its proportions, place it in
    28 x 28 with its centre of mass at the centre, and scale like the training data. See
    :func:`prepare_steps` for each step; raises :class:`NoDigitError` for a blank image.
    """
    return prepare_steps(source)["inputs"]


def naive_resize(source) -> np.ndarray:
    """The 784 inputs from a plain resize of the whole image to 28 x 28 (float32, 0.01..1.0).

    No cropping, fitting or centring: what the classic course did, kept for comparison.
    The ink is found the same way as by :func:`prepare` (so colours are not the difference).
    """
    small = _resize(load_image(source), IMAGE_SIDE, IMAGE_SIDE)
    return scale_pixels(small.ravel() * 255)


# -- 3. reading -----------------------------------------------------------------------

@dataclass
class Reading:
    """What a network read in an image.

    Attributes
    ----------
    digit : the digit read, or None when the image is blank
    confidence : ``scores[digit]``, 0..1 (0.0 when the image is blank)
    scores : each digit's share of the network's total output (10 values that add up to
        1; all 0 when the image is blank)
    inputs : the 784 prepared inputs that the network read (None when blank)
    unsure : True when the answer should not be trusted: blank, a dot, a blob, noise, a tiny
        scribble, or a confidence below ``UNSURE_BELOW``
    message : a sentence for the learner, e.g. "It's a 3" or "Draw a digit first"
    """

    digit: int | None
    confidence: float
    scores: np.ndarray
    inputs: np.ndarray | None
    unsure: bool
    message: str


def read_digit(network, source) -> Reading:
    """Prepare ``source`` like MNIST and read its digit with ``network``.

    The confidence is the share of the winning output in the sum of all ten outputs:
    ``outputs[digit] / outputs.sum()``. The network's sigmoid outputs are each between 0
    and 1 and need not add up to 1; their shares do. A confidence near 1 means one output
    stands out and the others are near 0; 0.5 means another digit scores as high as the
    winner. It is not a probability of being right, only how clearly one answer wins.

    Never raises for a blank image: it gives ``digit=None`` and the message "Draw a digit
    first". A dot, a blob or a tiny scribble (ink less than ``TINY_INK`` of the image's
    size, or filling more than ``BLOB_COVER`` of its box), noise (ink pixels no more alike
    their neighbours than ``NOISE_BELOW``, see :func:`neighbour_likeness`), or a confidence below
    ``UNSURE_BELOW``, gives the network's best guess with ``unsure=True`` and a message
    that says why. Files that
    cannot be read raise as :func:`load_image` says.
    """
    try:
        steps = prepare_steps(source)
    except NoDigitError:
        return Reading(None, 0.0, np.zeros(10), None, True, BLANK_MESSAGE)
    return read_steps(network, steps)


def read_steps(network, steps: dict[str, np.ndarray]) -> Reading:
    """What ``network`` reads in the prepared steps of :func:`prepare_steps` or
    :func:`prepare_ink`: the reading of :func:`read_digit`."""
    outputs = np.asarray(network.query(steps["inputs"]), dtype=np.float64)
    scores = outputs / outputs.sum()
    order = np.argsort(scores)[::-1]
    digit, runner_up = int(order[0]), int(order[1])
    confidence = float(share_of_top_output(outputs))
    cropped = steps["cropped"]
    tiny = max(cropped.shape) < TINY_INK * max(steps["loaded"].shape)
    blob = max(cropped.shape) < 2 * min(cropped.shape) and (cropped > 0.5).mean() > BLOB_COVER
    noise = neighbour_likeness(cropped) < NOISE_BELOW
    if tiny:
        message = f"That is very small: draw the digit bigger (my guess: {digit})"
    elif blob:
        message = f"That looks like a dot or a blob, not a digit (my guess: {digit})"
    elif noise:
        message = f"That looks like noise, not a digit (my guess: {digit})"
    elif confidence < UNSURE_BELOW:
        message = (f"Not sure: it looks most like {_a(digit)} {digit}, "
                   f"but also like {_a(runner_up)} {runner_up}")
    else:
        message = f"It's {_a(digit)} {digit}"
    unsure = tiny or blob or noise or confidence < UNSURE_BELOW
    return Reading(digit, confidence, scores, steps["inputs"], unsure, message)


def neighbour_likeness(ink: np.ndarray) -> float:
    """How alike neighbouring pixels of ``ink`` are: the correlation of each pixel with the
    next one, in the direction (across, down or either diagonal) where it is largest.

    Strokes of a pen are smooth along their length: near 1. Pure noise has no such order:
    near 0. A single row or column of ink counts as a stroke (1.0)."""
    if min(ink.shape) < 2:
        return 1.0
    pairs = [(ink[:, :-1], ink[:, 1:]), (ink[:-1], ink[1:]),
             (ink[:-1, :-1], ink[1:, 1:]), (ink[:-1, 1:], ink[1:, :-1])]
    return max(_correlation(first, second) for first, second in pairs)


def _correlation(first: np.ndarray, second: np.ndarray) -> float:
    first, second = first - first.mean(), second - second.mean()
    spread = float(np.sqrt((first * first).sum() * (second * second).sum()))
    return float((first * second).sum()) / spread if spread > 0 else 1.0


def _a(digit: int) -> str:
    """The article before a digit's name in English: "an 8", but "a 3"."""
    return "an" if digit == 8 else "a"
