"""Whole numbers: read every digit in an image, left to right.

A network trained on MNIST reads one digit at a time. To read "2026", the image is cut
into digits first:

1. find the separate pieces of ink (:func:`find_pieces`: connected components, pixels
   of ink that touch each other, also corner to corner);
2. join the pieces that belong to one digit (:func:`join_pieces`: a 5's detached top bar,
   a 4 written in two strokes lie above or across each other, not side by side; a piece
   too small to be a digit, where the pen skipped, belongs to the digit nearest to it);
3. split a group that is too wide to be one digit (:func:`split_wide`: digits that touch),
   where the ink is thinnest;
4. order the digits left to right and read each with the MNIST-style preparation of
   :mod:`helpers.own_digits` (:func:`read_number`).

An image with one digit alone is read exactly as :func:`helpers.own_digits.read_digit`
reads it. The rules are simple and fail in ways notebook 09 shows: digits written one
above the other are joined, and two touching digits are split only where the ink between
them is thin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .own_digits import NoDigitError, load_ink, prepare_ink, read_steps

#: A pixel belongs to a piece when it has at least this much ink (0..1): the cores of the
#: strokes, so that the soft edges of two strokes close together do not join them.
PIECE_INK = 0.25
#: Pieces smaller than this share of the largest piece's pixels are specks, not writing.
SPECK = 0.02
#: Two pieces are one digit when they overlap, left to right, by at least this share of
#: the narrower one's width (a 5's bar lies over its body; neighbours lie side by side).
JOIN_OVERLAP = 0.5
#: A group of pieces shorter and narrower than this share of the tallest piece's height is
#: too small to be a digit: a bit of a stroke where the pen skipped, or a dot. It joins the
#: group nearest to it, left or right.
SMALL = 1 / 3
#: A group is more than one digit when it is wider than this many times the height of the
#: digits, and than ``SPLIT_TYPICAL`` times the typical (median) width of the number's
#: groups: some single digits (a wide 0 or 2) are wider than they are high.
SPLIT_WIDTH = 1.15
SPLIT_TYPICAL = 2.0
#: The typical width of a digit, as a share of its height, when the number's groups do
#: not tell it (a single group).
DIGIT_WIDTH = 0.7
#: Each cut is looked for within this share of a digit's width of where it would fall if
#: all the digits were equally wide.
CUT_RANGE = 0.35


@dataclass
class DigitInNumber:
    """One digit read in a number: its value, the reading's confidence (0..1) and its box
    ``(left, top, right, bottom)`` in the pixels of the upright image, right and bottom
    included."""

    digit: int
    confidence: float
    box: tuple[int, int, int, int]


@dataclass
class NumberReading:
    """A whole number read in an image: ``number`` as a string such as "2026" (None when
    the image is blank), and each of its ``digits``, left to right."""

    number: str | None
    digits: list[DigitInNumber]


def find_pieces(ink: np.ndarray) -> tuple[np.ndarray, list[tuple[slice, slice]]]:
    """The connected pieces of ink: a label image (0 paper, 1, 2 ... one number a piece)
    and each piece's box as (rows, columns) slices, specks left out (their label is 0)."""
    cores = ink >= PIECE_INK * float(ink.max())
    labels, count = ndimage.label(cores, structure=np.ones((3, 3)))  # corners touch too
    sizes = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    kept = sizes >= SPECK * sizes.max() if count else np.zeros(0, dtype=bool)
    renumber = np.zeros(count + 1, dtype=labels.dtype)
    renumber[1:][kept] = np.arange(1, kept.sum() + 1)
    labels = renumber[labels]
    return labels, ndimage.find_objects(labels)


def join_pieces(boxes: list[tuple[slice, slice]]) -> list[list[int]]:
    """Which pieces make one digit: lists of piece indices (into ``boxes``), left to right.

    Two pieces are joined when one lies over the other: their columns overlap by at least
    ``JOIN_OVERLAP`` of the narrower piece's width. Joining is repeated until no group
    overlaps another that much (a 5's bar joins its body, then a third piece may join both).
    Then each group too small to be a digit (``SMALL``) joins the group nearest to it.
    """
    groups = [[index] for index in range(len(boxes))]
    spans = [(box[1].start, box[1].stop) for box in boxes]
    joined = True
    while joined:
        joined = False
        for first in range(len(groups)):
            for second in range(first + 1, len(groups)):
                (left_a, right_a), (left_b, right_b) = spans[first], spans[second]
                overlap = min(right_a, right_b) - max(left_a, left_b)
                if overlap >= JOIN_OVERLAP * min(right_a - left_a, right_b - left_b):
                    groups[first] += groups.pop(second)
                    spans[first] = (min(left_a, left_b), max(right_a, right_b))
                    spans.pop(second)
                    joined = True
                    break
            if joined:
                break
    tallest = max((box[0].stop - box[0].start for box in boxes), default=0)
    for index in reversed(range(len(groups))):
        (left, right), group = spans[index], groups[index]
        height = max(boxes[i][0].stop for i in group) - min(boxes[i][0].start for i in group)
        if max(right - left, height) < SMALL * tallest:  # never the tallest piece's group
            gaps = [np.inf if other == index else max(other_left - right, left - other_right, 0)
                    for other, (other_left, other_right) in enumerate(spans)]
            nearest = int(np.argmin(gaps))
            groups[nearest] += group
            spans[nearest] = (min(left, spans[nearest][0]), max(right, spans[nearest][1]))
            groups.pop(index)
            spans.pop(index)
    order = np.argsort([left for left, _ in spans], kind="stable")
    return [sorted(groups[index]) for index in order]


def split_wide(ink: np.ndarray, height: int, typical: float | None = None) -> list[int]:
    """Where to cut a group of ``ink`` (cropped to it) that is too wide to be one digit:
    the columns at which each digit after the first begins (none if it is one digit).

    ``height`` is the height of the number's digits, ``typical`` the typical width of its
    groups (None when it has only one). A group wider than ``SPLIT_WIDTH`` times
    ``height`` and ``SPLIT_TYPICAL`` times ``typical`` holds about ``width / typical``
    digits (``width / (DIGIT_WIDTH * height)`` without a typical width). Each cut goes
    where the ink is thinnest (the least ink in a column) near where it would fall if the
    digits were equally wide.
    """
    width = ink.shape[1]
    if width <= SPLIT_WIDTH * height or (typical and width <= SPLIT_TYPICAL * typical):
        return []
    count = max(2, round(width / (typical or DIGIT_WIDTH * height)))
    column_ink = ink.sum(axis=0)
    step, cuts = width / count, []
    for index in range(1, count):
        low = max(1, int(round((index - CUT_RANGE) * step)))
        high = min(width - 1, int(round((index + CUT_RANGE) * step)))
        cuts.append(low + int(np.argmin(column_ink[low:high + 1])))
    return sorted(set(cuts))


def read_number(network, source) -> NumberReading:
    """Every digit in ``source`` read with ``network``, left to right.

    ``source`` is anything :func:`helpers.own_digits.load_image` reads. One digit alone
    is read exactly as :func:`helpers.own_digits.read_digit` reads it. Raises as
    :func:`helpers.own_digits.load_image` does for files that cannot be read.
    """
    ink, (full_height, full_width) = load_ink(source)
    scale_y, scale_x = full_height / ink.shape[0], full_width / ink.shape[1]
    if float(ink.max()) == 0:
        return NumberReading(None, [])
    labels, boxes = find_pieces(ink)
    groups = join_pieces(boxes)
    height = max(box[0].stop - box[0].start for box in boxes)
    spans = [(min(boxes[i][1].start for i in group), max(boxes[i][1].stop for i in group))
             for group in groups]
    typical = float(np.median([right - left for left, right in spans])) if len(groups) > 1 else None
    digits = []
    for group in groups:
        rows = slice(min(boxes[i][0].start for i in group), max(boxes[i][0].stop for i in group))
        columns = slice(min(boxes[i][1].start for i in group),
                        max(boxes[i][1].stop for i in group))
        # the group's ink: its pieces, with their soft edges, and nothing of its neighbours
        mine = ndimage.maximum_filter(np.isin(labels[rows, columns], [i + 1 for i in group]),
                                      size=5)
        own = np.where(mine, ink[rows, columns], 0)
        edges = [0] + split_wide(own, height, typical) + [own.shape[1]]
        for left, right in zip(edges[:-1], edges[1:]):
            part = own[:, left:right]
            if len(groups) == 1 and len(edges) == 2:
                steps = prepare_ink(ink)  # one digit alone: read as read_digit reads it
            else:
                try:
                    steps = prepare_ink(part)
                except NoDigitError:
                    continue
            reading = read_steps(network, steps)
            filled_rows = np.nonzero(part.max(axis=1) >= PIECE_INK)[0]
            filled_columns = np.nonzero(part.max(axis=0) >= PIECE_INK)[0]
            if filled_rows.size == 0:
                continue
            box = (columns.start + left + filled_columns[0], rows.start + filled_rows[0],
                   columns.start + left + filled_columns[-1], rows.start + filled_rows[-1])
            digits.append(DigitInNumber(reading.digit, reading.confidence, (
                int(box[0] * scale_x), int(box[1] * scale_y),
                int((box[2] + 1) * scale_x) - 1, int((box[3] + 1) * scale_y) - 1)))
    number = "".join(str(digit.digit) for digit in digits) or None
    return NumberReading(number, digits)
