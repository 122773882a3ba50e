"""More training digits for free: each image turned by a small angle and moved a little.

A 3 turned by 8 degrees and moved a pixel to the left is still a 3. A network that trains on
such copies, different ones in every epoch, cannot learn the training images by heart
pixel for pixel; it has to learn what makes a 3 a 3. (The classic course added copies
turned by +10 and -10 degrees to its training set; here every image gets its own random
turn and shift, every time it is seen.)

:func:`rotate_and_shift` moves images by given amounts, :func:`random_rotations_and_shifts`
by random ones; ``helpers.training.fit(..., augment=random_rotations_and_shifts)`` applies
it to every batch. Both work on a whole batch in one call to ``scipy.ndimage.map_coordinates``.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .data import BACKGROUND, IMAGE_SIDE

# The position of each pixel relative to the centre of the image, (13.5, 13.5).
_centre = (IMAGE_SIDE - 1) / 2
_ROWS, _COLUMNS = np.meshgrid(np.arange(IMAGE_SIDE) - _centre, np.arange(IMAGE_SIDE) - _centre,
                              indexing="ij")


def _check_images(images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[1] != IMAGE_SIDE ** 2 or images.dtype.kind != "f":
        raise ValueError(f"images must be network inputs, floats of shape (n, {IMAGE_SIDE ** 2}), "
                         f"not an array of shape {images.shape} and type {images.dtype}")
    return images


def rotate_and_shift(images, degrees, shifts) -> np.ndarray:
    """Turn each image about its centre, then move it; the pixels left empty are background.

    Parameters
    ----------
    images : network inputs of shape (n, 784), background 0.01, ink up to 1.0
    degrees : n angles (or one for all), anticlockwise, as an image is shown on screen
    shifts : n pairs (or one for all) of (down, right), in pixels; need not be whole

    Returns
    -------
    new images, shape (n, 784), same float type, values within 0.01..1.0. Each new pixel is
    read from where it came from in the old image, interpolated between its 4 neighbours.
    """
    images = _check_images(images)
    n = len(images)
    angles = np.broadcast_to(np.deg2rad(np.asarray(degrees, dtype=float)), (n,))[:, None, None]
    shifts = np.broadcast_to(np.asarray(shifts, dtype=float), (n, 2))
    cos, sin = np.cos(angles), np.sin(angles)
    # Where each new pixel comes from: undo the shift, then turn back by the angle. (Rows
    # grow downwards on screen, so an anticlockwise turn has these signs.)
    rows = _ROWS - shifts[:, 0, None, None]
    columns = _COLUMNS - shifts[:, 1, None, None]
    source_rows = cos * rows + sin * columns + _centre
    source_columns = cos * columns - sin * rows + _centre
    # map_coordinates would interpolate along every axis of a 3-D stack of images, the
    # first one too (with weight 0, but the work is done). So the batch is laid out as one
    # tall picture, each image framed by a 1-pixel background border, and every source
    # position is kept within its own image's frame: outside the image it reads background.
    side = IMAGE_SIDE + 2
    framed = np.full((n, side, side), BACKGROUND, dtype=images.dtype)
    framed[:, 1:-1, 1:-1] = images.reshape(n, IMAGE_SIDE, IMAGE_SIDE)
    source_rows = np.clip(source_rows, -1, IMAGE_SIDE) + 1 + side * np.arange(n)[:, None, None]
    source_columns = np.clip(source_columns, -1, IMAGE_SIDE) + 1
    moved = ndimage.map_coordinates(framed.reshape(n * side, side),
                                    [source_rows, source_columns], order=1, mode="nearest")
    return np.clip(moved.reshape(n, -1), BACKGROUND, 1.0)


def random_rotations_and_shifts(images, rng: np.random.Generator, max_degrees: float = 10.0,
                                max_shift: float = 2.0) -> np.ndarray:
    """Each image turned by a random angle up to ``max_degrees`` either way and moved by up
    to ``max_shift`` pixels in each direction (uniformly at random, drawn from ``rng``).

    For ``helpers.training.fit(..., augment=random_rotations_and_shifts)``; with other
    limits, ``augment=functools.partial(random_rotations_and_shifts, max_degrees=15)``.
    """
    images = _check_images(images)
    degrees = rng.uniform(-max_degrees, max_degrees, len(images))
    shifts = rng.uniform(-max_shift, max_shift, (len(images), 2))
    return rotate_and_shift(images, degrees, shifts)
