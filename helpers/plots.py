"""Figures the notebooks share: confusion-matrix heatmaps and galleries of digits.

* :func:`confusion_heatmap` draws a confusion matrix (from
  :func:`helpers.evaluation.confusion_matrix`) as a seaborn heatmap: as counts, as the
  share of each true digit, or with the right answers hidden so the mistakes stand out.
* :func:`digit_gallery` draws MNIST digits in a grid, each with a title.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .data import IMAGE_SIDE, PIXELS
from .evaluation import check_matrix


def _heatmap_values(matrix: np.ndarray, normalise: bool) -> np.ndarray:
    """The numbers a heatmap shows: counts, or percent of each row (each true digit)."""
    if not normalise:
        return matrix.astype(float)
    rows = matrix.sum(axis=1, keepdims=True).astype(float)
    return np.divide(100 * matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)


def _annotation(value: float, normalise: bool) -> str:
    """The text in a heatmap cell: blank for 0, a count, or a percentage with one decimal."""
    if value == 0:
        return ""
    if not normalise:
        return f"{value:.0f}"
    return "100" if value >= 99.95 else f"{value:.1f}"


def confusion_heatmap(
    matrix,
    ax: Axes | None = None,
    normalise: bool = False,
    errors_only: bool = False,
    title: str | None = None,
    annotate: bool = True,
    vmax: float | None = None,
    cmap: str | None = None,
) -> Axes:
    """Draw a confusion matrix as a heatmap: rows are true digits, columns predicted ones.

    Parameters
    ----------
    matrix : a square array of counts, as :func:`helpers.evaluation.confusion_matrix` makes
    ax : the Axes to draw on; by default a new figure
    normalise : show each row as percent of its true digit's images, instead of counts
        (a digit without images gets a row of 0)
    errors_only : hide the diagonal (the right answers, drawn grey) and scale the colours
        to the mistakes alone, so that they stand out
    title : the title; by default one that says what is shown
    annotate : write each cell's number in it (cells that are 0 stay blank)
    vmax : the value of the darkest colour; give two heatmaps the same vmax to compare them
    cmap : a matplotlib colour map; by default "Blues", or "Reds" with ``errors_only``

    Returns
    -------
    the Axes, with the x axis labelled "predicted digit", the y axis "true digit", and a
    colour bar.
    """
    matrix = check_matrix(matrix)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (from plt.subplots), not {type(ax).__name__}")
    if vmax is not None and not (np.isfinite(vmax) and vmax > 0):
        raise ValueError(f"vmax must be a number greater than 0, not {vmax!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 5.4), layout="constrained")
    values = _heatmap_values(matrix, normalise)
    mask = np.eye(len(matrix), dtype=bool) if errors_only else None
    if vmax is None:
        shown = values[~mask] if errors_only else values
        vmax = max(float(shown.max()), 1.0)
    unit = ("% of the true digit's images" if normalise
            else "number of mistakes" if errors_only else "number of images")
    if title is None:
        what = "share of each true digit" if normalise else "counts"
        title = (f"Mistakes only, right answers hidden ({what})" if errors_only
                 else f"Confusion matrix ({what})")
    annotations = np.vectorize(_annotation)(values, normalise) if annotate else False
    ticks = [str(digit) for digit in range(len(matrix))]
    sns.heatmap(values, mask=mask, ax=ax, vmin=0, vmax=vmax,
                cmap=cmap or ("Reds" if errors_only else "Blues"),
                annot=annotations, fmt="", annot_kws={"fontsize": 8}, square=True,
                linewidths=0.5, linecolor="white", xticklabels=ticks, yticklabels=ticks,
                cbar_kws={"label": unit, "shrink": 0.8})
    if errors_only:
        ax.set_facecolor("0.85")  # the hidden diagonal shows as grey
    ax.set(title=title, xlabel="predicted digit", ylabel="true digit")
    ax.tick_params(axis="y", rotation=0)
    return ax


def _check_images(images) -> np.ndarray:
    """``images`` as an array of shape (n, 28, 28), or a ValueError that says what is wrong."""
    images = np.asarray(images)
    if images.dtype == bool or not np.issubdtype(images.dtype, np.number):
        raise ValueError(f"images must hold pixel numbers, not values of type {images.dtype}")
    if images.shape in [(PIXELS,), (IMAGE_SIDE, IMAGE_SIDE)]:  # one image
        images = images[None]
    if images.ndim == 2 and images.shape[1] == PIXELS:
        images = images.reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"images have shape {images.shape}: expected MNIST images, shape "
                         f"(n, {PIXELS}) or (n, {IMAGE_SIDE}, {IMAGE_SIDE})")
    if len(images) == 0:
        raise ValueError("no images to draw: the gallery needs at least one")
    if not np.isfinite(images).all():
        raise ValueError("images contain NaN or infinite values")
    if images.min() < 0 or images.max() > 255:
        raise ValueError(f"pixel values go from {images.min()} to {images.max()}: expected "
                         "0 to 255 (raw pixels) or 0.01 to 1.0 (network inputs)")
    return images


def _mosaic(images: np.ndarray, columns: int, head: int, gap: int) -> tuple[np.ndarray, list]:
    """Put ``images`` (n, 28, 28) side by side in one big picture, row by row.

    Each image gets ``head`` blank pixel rows above it (room for its title) and ``gap``
    blank pixel columns to its right. Returns the picture and the (row, column) of each
    image's top left pixel in it.
    """
    rows = math.ceil(len(images) / columns)
    cell_height, cell_width = IMAGE_SIDE + head, IMAGE_SIDE + gap
    mosaic = np.zeros((rows * cell_height, columns * cell_width - gap), dtype=float)
    corners = []
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top, left = row * cell_height + head, column * cell_width
        mosaic[top:top + IMAGE_SIDE, left:left + IMAGE_SIDE] = image
        corners.append((top, left))
    return mosaic, corners


def digit_gallery(
    images,
    titles=None,
    columns: int = 10,
    title: str | None = None,
    image_size: float = 1.25,
    fontsize: float = 9,
) -> Figure:
    """Draw digits in a grid, ink dark on white paper, each with its own title.

    The digits are put side by side into one big picture, which draws much faster than
    one small plot per digit.

    Parameters
    ----------
    images : shape (n, 784) or (n, 28, 28) (or one image, (784,) or (28, 28)), either raw
        pixels 0 to 255 or network inputs 0.01 to 1.0
    titles : one title per image (such as "true 4, read 9"; "\\n" starts a new line), or None
    columns : the number of images in a row
    title : the title of the whole figure
    image_size : the width of one image, in inches
    fontsize : the size of the images' titles

    Returns
    -------
    the Figure. In a notebook, end the cell with ``plt.show()``, so that it is not drawn twice.
    """
    images = _check_images(images)
    if titles is not None:
        titles = [str(text) for text in titles]
        if len(titles) != len(images):
            raise ValueError(f"{len(images)} images but {len(titles)} titles: give one title "
                             "per image, or titles=None")
    if isinstance(columns, bool) or int(columns) != columns or columns < 1:
        raise ValueError(f"columns must be a whole number of at least 1, not {columns!r}")
    columns = min(int(columns), len(images))
    brightest = 1.0 if images.max() <= 1 else 255.0  # network inputs, or raw pixels
    # Room for the titles, in pixels of the picture: a line of text is about 1.3 font
    # sizes high (in points, 1/72 inch), and one inch holds (28 + gap) / image_size pixels.
    gap = 4
    pixels_per_inch = (IMAGE_SIDE + gap) / image_size
    lines = max(text.count("\n") + 1 for text in titles) if titles else 0
    head = math.ceil(lines * 1.3 * fontsize / 72 * pixels_per_inch) + 2
    mosaic, corners = _mosaic(images / brightest, columns, head, gap)

    width = mosaic.shape[1] / pixels_per_inch
    height = mosaic.shape[0] / pixels_per_inch
    top = 0.45 if title else 0.0  # inches above the picture for the figure's title
    figure = plt.figure(figsize=(width, height + top))
    ax = figure.add_axes((0, 0, 1, height / (height + top)))  # the picture fills the figure
    ax.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    ax.axis("off")
    for text, (row, column) in zip(titles or [], corners):
        ax.text(column + (IMAGE_SIDE - 1) / 2, row - 1.5, text, ha="center", va="bottom",
                fontsize=fontsize, linespacing=1.15)
    if title:
        figure.suptitle(title, y=1 - 0.1 / (height + top), va="top")
    return figure
