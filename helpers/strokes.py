"""Pen strokes drawn into a NumPy image: the one rasteriser of the course.

The drawing pad draws each piece of a stroke with :func:`stamp_segment` as the pen moves,
and ``tools/make_own_digits.py`` draws the sample drawings of ``data/own_digits/`` with
:func:`draw_strokes`, so both make ink the same way.

A stroke is a list of (x, y) points in pixels, (0, 0) at the top left; pixel (row, column)
has its centre at x = column + 0.5, y = row + 0.5. The pen is round: lines have round ends
and round joints, as a web canvas draws them with ``lineCap = lineJoin = "round"``. Ink is
0 (paper) to 1 (ink), anti-aliased: a pixel that the line half covers gets about 0.5.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def stamp_segment(ink: np.ndarray, start: Sequence[float], end: Sequence[float],
                  radius: float) -> None:
    """Draw a round-capped line from ``start`` to ``end`` (x, y) into ``ink``, in place.

    A pixel's ink is how much of it the line covers, 0 to 1: 1 within ``radius`` of the
    line, falling to 0 over one pixel at the edge (anti-aliased, as a canvas draws).
    Where the line crosses ink already there, the darker of the two stays. ``start ==
    end`` draws a dot.
    """
    (x0, y0), (x1, y1) = (float(v) for v in start), (float(v) for v in end)
    height, width = ink.shape
    reach = radius + 1.0
    left, right = max(int(min(x0, x1) - reach), 0), min(int(max(x0, x1) + reach) + 1, width)
    top, bottom = max(int(min(y0, y1) - reach), 0), min(int(max(y0, y1) + reach) + 1, height)
    if left >= right or top >= bottom:
        return  # the line lies wholly outside the image
    xs = np.arange(left, right, dtype=np.float32) + 0.5 - x0
    ys = np.arange(top, bottom, dtype=np.float32)[:, None] + 0.5 - y0
    dx, dy = x1 - x0, y1 - y0
    length_squared = dx * dx + dy * dy
    # the nearest point of the line to each pixel is start + t * (end - start), 0 <= t <= 1
    t = 0.0 if length_squared == 0 else np.clip((xs * dx + ys * dy) / length_squared, 0, 1)
    distance = np.hypot(xs - t * dx, ys - t * dy)
    coverage = np.clip(radius + 0.5 - distance, 0, 1)
    region = ink[top:bottom, left:right]
    np.maximum(region, coverage, out=region)


def draw_stroke(ink: np.ndarray, stroke: Sequence[Sequence[float]], pen_width: float) -> None:
    """Draw one stroke (a list of (x, y) points) into ``ink``, in place, with a round pen
    ``pen_width`` pixels wide. A stroke of one point is a dot; an empty one draws nothing."""
    points = [(float(x), float(y)) for x, y in stroke]
    radius = pen_width / 2
    for start, end in zip(points, points[1:] or points):
        stamp_segment(ink, start, end, radius)


def draw_strokes(strokes: Iterable[Sequence[Sequence[float]]], size: int | tuple[int, int],
                 pen_width: float) -> np.ndarray:
    """A new image of ``size`` pixels (a side, or (height, width)) with ``strokes`` drawn in
    it: float32, 0 paper to 1 ink."""
    height, width = (size, size) if np.isscalar(size) else size
    if not pen_width > 0:
        raise ValueError(f"pen_width must be a number of pixels above 0, not {pen_width!r}")
    ink = np.zeros((int(height), int(width)), dtype=np.float32)
    for stroke in strokes:
        draw_stroke(ink, stroke, pen_width)
    return ink
