"""A drawing pad: draw a digit with the mouse (or a finger) and watch the network read it.

Notebook 05 shows it, and ``apps/drawing_pad.ipynb`` is the same pad as a page of its own
(``voila apps/drawing_pad.ipynb``)::

    from helpers.drawing_pad import DrawingPad
    pad = DrawingPad()
    pad

What happens each time the pen moves:

1. The canvas (an ipycanvas ``Canvas``) tells Python where the pen is.
2. Python draws the new piece of the stroke twice: on the canvas, for you to see, and into
   ``pad.ink``, a NumPy image of the same size (0 is paper, 1 is ink), with
   :func:`helpers.strokes.stamp_segment`. Because the ink is kept in Python, reading it
   never waits for the browser to send the picture back.
3. While the pen moves, at most every ``throttle_ms`` milliseconds, and always when it
   lifts, :func:`helpers.own_digits.read_digit` prepares the ink the way MNIST digits were
   prepared (cropped, fitted into 20 x 20, centred in 28 x 28) and asks the network.
4. The pad shows the answer: the digit read, large; a bar for each digit's share of the
   network's output; and the 28 x 28 image that the network saw.

:class:`NumberPad` is a wide canvas for a whole number: it reads all the digits written on
it (:func:`helpers.whole_numbers.read_number`) and shows each one boxed, with the digit read
and its confidence. :class:`PadSwitch` is the pad with a switch between the two, as the
page ``apps/drawing_pad.ipynb`` shows it.

Where the canvas cannot respond, "Upload a picture" reads an image file (a photo of a digit
on paper, say) in the same way. Without a browser, :meth:`DrawingPad.draw_strokes` draws
strokes given as lists of points, and :meth:`DrawingPad.read_image` reads any image.
"""

from __future__ import annotations

import html
import io
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
from ipycanvas import Canvas, hold_canvas
from PIL import Image, ImageColor, ImageDraw, ImageFont

from .data import IMAGE_SIDE, unscale_pixels
from .own_digits import BLANK_MESSAGE, UNSURE_BELOW, Reading, load_image, read_digit
from .saving import load_reading_network
from .strokes import stamp_segment
from .whole_numbers import DigitInNumber, NumberReading, read_number

#: How many screen pixels show one of the 28 x 28 pixels that the network sees.
SEEN_SCALE = 5

PAPER = "#ffffff"
INK = "#1b1b1b"
#: The colour of the answer and its bar; grey when the answer is unsure.
SURE_COLOUR = "#1f5fae"
UNSURE_COLOUR = "#9a6700"
PLACEHOLDER = "draw a digit here"

#: The pad's look, in one place. Every rule starts with .dbh-pad, so nothing else changes.
STYLE = """
<style>
.dbh-pad { padding: 12px; background: #ffffff; color: #1b1b1b; border-radius: 10px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.dbh-pad .dbh-column { margin: 0 14px 12px 14px; }
.dbh-pad .dbh-paper { border: 2px solid #8a8a8a; border-radius: 6px; overflow: hidden;
  background: #ffffff; line-height: 0; width: fit-content; }
.dbh-pad .dbh-paper canvas { display: block; margin: 0; outline: none;
  touch-action: none; cursor: crosshair; }
.dbh-pad .dbh-answer { width: 150px; text-align: center; color: #1b1b1b; }
.dbh-pad .dbh-digit { font-size: 120px; font-weight: 700; line-height: 1.0; }
.dbh-pad .dbh-digit.dbh-blank { color: #c8c8c8; }
.dbh-pad .dbh-unsure-mark { font-size: 60px; vertical-align: top; }
.dbh-pad .dbh-message { font-size: 15px; line-height: 1.3; margin-top: 6px; min-height: 42px; }
.dbh-pad .dbh-caption { font-size: 13px; color: #555555; text-align: center; line-height: 1.3; }
.dbh-pad .dbh-seen img { image-rendering: pixelated; border: 1px solid #8a8a8a; }
.dbh-pad .dbh-bars { width: 330px; font-size: 15px; color: #1b1b1b; }
.dbh-pad .dbh-bar-row { display: flex; align-items: center; height: 24px; }
.dbh-pad .dbh-bar-digit { width: 22px; font-weight: 700; text-align: center; }
.dbh-pad .dbh-bar-track { flex: 1; height: 16px; background: #ececec; border-radius: 3px;
  margin: 0 8px; overflow: hidden; }
.dbh-pad .dbh-bar { height: 100%; background: #9bb3cf; }
.dbh-pad .dbh-bar-value { width: 44px; text-align: right; font-variant-numeric: tabular-nums; }
.dbh-pad .dbh-timing { width: 330px; font-size: 12px; line-height: 1.4; color: #6a6a6a;
  margin-top: 8px; }
.dbh-pad .widget-button, .dbh-pad .jupyter-button { font-size: 15px; }
.dbh-pad img.dbh-pad-boxes { border: 1px solid #d0d0d0; width: fit-content; }
</style>
"""


def seen_png(inputs: np.ndarray | None, scale: int = SEEN_SCALE) -> bytes:
    """A PNG of the 784 ``inputs`` as the 28 x 28 image they are, each pixel ``scale`` wide.

    Ink is dark on white paper, as the course's figures show digits (``cmap="gray_r"``),
    and a faint grid marks the pixels: each square is one input of the network.
    """
    if inputs is None:
        pixels = np.zeros((IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32)  # blank paper
    else:
        pixels = unscale_pixels(inputs).reshape(IMAGE_SIDE, IMAGE_SIDE)  # 0 paper, 255 ink
    grey = 255 - np.round(pixels)
    big = np.repeat(np.repeat(grey, scale, axis=0), scale, axis=1)
    if scale >= 4:
        big[::scale, :] = np.minimum(big[::scale, :], 232)  # the grid: a faint line
        big[:, ::scale] = np.minimum(big[:, ::scale], 232)  # before each row and column
    file = io.BytesIO()
    Image.fromarray(big.astype(np.uint8), mode="L").save(file, format="PNG", compress_level=1)
    return file.getvalue()


class DrawingPad(widgets.HBox):
    """A canvas to draw a digit on, and the network's live answer beside it.

    Parameters
    ----------
    network : the network that reads the digits; by default the one that
        :func:`helpers.saving.load_reading_network` chooses, which ``python -m helpers
        predict`` uses too (its docstring says which, and why)
    size : the side of the square canvas, in pixels
    pen_width : the width of the pen, in pixels; by default ``size / 14`` (20 on the
        280-pixel canvas), which gives strokes as thick as MNIST's once the digit is
        fitted into 20 x 20
    throttle_ms : while the pen moves, the pad reads the digit at most this often

    Attributes
    ----------
    ink : the drawing, a (size, size) float32 array, 0 (paper) to 1 (ink)
    strokes : the strokes drawn, each a list of (x, y) points
    reading : the last :class:`helpers.own_digits.Reading` (None before the first)
    last_compute_ms : the time that the last answer took to compute: preparing the
        image plus the network's forward pass, in milliseconds
    compute_times_ms : the same for every answer so far (the last 1000)
    """

    #: How many times wider than high the canvas is, and the hint on an empty canvas.
    SIDES_WIDE = 1
    PLACEHOLDER = PLACEHOLDER

    def __init__(self, network=None, size: int = 280, pen_width: float | None = None,
                 throttle_ms: float = 50.0):
        if int(size) != size or size < 56:
            raise ValueError(f"size is the canvas's side in pixels, a whole number of at "
                             f"least 56, not {size!r}")
        self.network = network if network is not None else load_reading_network()
        self.side = int(size)
        self.width = self.side * self.SIDES_WIDE  # the canvas is ``side`` pixels high
        self.pen_width = float(pen_width) if pen_width is not None else self.side / 14
        if not self.pen_width > 0:
            raise ValueError(f"pen_width must be a number of pixels above 0, not {pen_width!r}")
        self.throttle_ms = float(throttle_ms)
        self.ink = np.zeros((self.side, self.width), dtype=np.float32)
        self.strokes: list[list[tuple[float, float]]] = []
        self.reading: Reading | None = None
        self.last_compute_ms: float | None = None
        self.compute_times_ms: list[float] = []
        self._pen_is_down = False
        self._last_read = float("-inf")  # time.perf_counter() of the last reading
        self._picture: np.ndarray | None = None  # an uploaded picture shown on the canvas

        self.canvas = Canvas(width=self.width, height=self.side)
        self.canvas.add_class("dbh-pad-canvas")
        self.clear_button = widgets.Button(
            description="Clear", icon="eraser", tooltip="Wipe the canvas and start again",
            layout=widgets.Layout(width="110px", height="36px"))
        self.clear_button.add_class("dbh-pad-clear")
        self.upload = widgets.FileUpload(
            accept="image/*", multiple=False, description="Upload a picture",
            tooltip="Or read a picture of a digit: a photo of one written on paper, say",
            layout=widgets.Layout(width="auto", height="36px"))
        self.upload.add_class("dbh-pad-upload")
        self.answer = widgets.HTML()
        self.answer.add_class("dbh-pad-answer")
        self.seen = widgets.Image(format="png", width=IMAGE_SIDE * SEEN_SCALE,
                                  height=IMAGE_SIDE * SEEN_SCALE)
        self.bars = widgets.HTML()
        self.bars.add_class("dbh-pad-bars")
        self.timing = widgets.HTML()
        self.timing.add_class("dbh-pad-timing")

        paper = widgets.Box([self.canvas])
        paper.add_class("dbh-paper")
        seen = widgets.VBox([
            self.seen,
            widgets.HTML('<div class="dbh-caption">what the network sees:<br>'
                         '28 &times; 28 pixels</div>')])
        seen.add_class("dbh-seen")
        drawing = widgets.VBox([
            paper,
            widgets.HBox([self.clear_button, self.upload],
                         layout=widgets.Layout(margin="10px 0 0 0")),
        ])
        answer = widgets.VBox([
            widgets.HBox([self.answer, seen], layout=widgets.Layout(align_items="flex-start")),
            self.bars,
            self.timing,
        ], layout=widgets.Layout(width="340px"))
        for column in (drawing, answer):
            column.add_class("dbh-column")
        super().__init__([widgets.HTML(STYLE, layout=widgets.Layout(display="none")),
                          drawing, answer],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start",
                                               width="fit-content", max_width="100%"))
        self.add_class("dbh-pad")

        for event, handler in [
            (self.canvas.on_mouse_down, self._on_mouse_down),
            (self.canvas.on_mouse_move, self._on_mouse_move),
            (self.canvas.on_mouse_up, self._on_mouse_up),
            (self.canvas.on_mouse_out, self._on_mouse_out),
            (self.canvas.on_touch_start, self._on_touch_start),
            (self.canvas.on_touch_move, self._on_touch_move),
            (self.canvas.on_touch_end, self._on_touch_end),
            (self.canvas.on_touch_cancel, self._on_touch_end),
            # a canvas shows nothing to a newly opened page until told what to draw
            (self.canvas.on_client_ready, self._repaint),
        ]:
            event(handler)
        self.clear_button.on_click(lambda _button: self.clear())
        self.upload.observe(self._on_upload, names="value")
        self._repaint()
        self._show(None)

    def __repr__(self) -> str:
        # what a page without live widgets (GitHub, a terminal) shows instead of the pad
        return (f"DrawingPad(size={self.side}): run the notebook in Jupyter to draw on it, "
                "or use pad.draw_strokes(...)")

    # -- drawing -----------------------------------------------------------------------
    def draw_strokes(self, strokes: Iterable[Iterable[Sequence[float]]]) -> Reading:
        """Draw ``strokes`` as if with the pen, then read the digit; returns the reading.

        Each stroke is a list of (x, y) points in canvas pixels, (0, 0) at the top left;
        a stroke of one point is a dot. For example, a 7 on the 280-pixel canvas::

            pad.draw_strokes([[(80, 60), (200, 60), (120, 230)]])
        """
        for stroke in strokes:
            points = [(float(x), float(y)) for x, y in stroke]
            if not points:
                continue
            self._pen_down(*points[0])
            for x, y in points[1:]:
                self._pen_move(x, y, read=False)
            self._pen_is_down = False
        return self.read()

    def clear(self) -> None:
        """Wipe the canvas and the answer: back to a blank page."""
        self._pen_is_down = False
        self._forget_drawing()
        self._repaint()
        self.reading = None
        self._show(None)

    def _forget_drawing(self) -> None:
        self.ink[...] = 0
        self.strokes = []
        self._picture = None

    def _pen_down(self, x: float, y: float) -> None:
        if self._picture is not None:  # drawing after an upload starts a new drawing
            self._forget_drawing()
        self._pen_is_down = True
        self.strokes.append([(x, y)])
        radius = self.pen_width / 2
        stamp_segment(self.ink, (x, y), (x, y), radius)
        if len(self.strokes) == 1:
            self._repaint()  # wipes the "draw a digit here" hint (or the picture)
        else:
            with self._drawing():
                self.canvas.fill_circle(x, y, radius)

    def _pen_move(self, x: float, y: float, read: bool = True) -> None:
        stroke = self.strokes[-1]
        last = stroke[-1]
        if (x, y) == last:
            return
        stroke.append((x, y))
        stamp_segment(self.ink, last, (x, y), self.pen_width / 2)
        with self._drawing():
            self.canvas.stroke_line(last[0], last[1], x, y)
        if read and (time.perf_counter() - self._last_read) * 1000 >= self.throttle_ms:
            self.read()

    def _pen_up(self) -> None:
        if self._pen_is_down:
            self._pen_is_down = False
            self.read()

    # -- the canvas's events -----------------------------------------------------------
    def _on_mouse_down(self, x: float, y: float) -> None:
        self._pen_down(x, y)

    def _on_mouse_move(self, x: float, y: float) -> None:
        if self._pen_is_down:
            self._pen_move(x, y)

    def _on_mouse_up(self, x: float, y: float) -> None:
        if self._pen_is_down:
            self._pen_move(x, y, read=False)
            self._pen_up()

    def _on_mouse_out(self, x: float, y: float) -> None:
        self._pen_up()  # the pen left the canvas: the stroke ends at its edge

    def _on_touch_start(self, touches: list[tuple[float, float]]) -> None:
        if touches:  # with several fingers, the first one draws
            self._pen_down(*touches[0])

    def _on_touch_move(self, touches: list[tuple[float, float]]) -> None:
        if touches and self._pen_is_down:
            self._pen_move(*touches[0])

    def _on_touch_end(self, touches: list[tuple[float, float]]) -> None:
        self._pen_up()

    # -- painting the canvas -----------------------------------------------------------
    @contextmanager
    def _drawing(self) -> Iterator[None]:
        """Send the drawing commands made inside it to the browser in one message.

        ipycanvas names the canvas that its commands are for only when it differs from the
        last one's. A page that opens later (Voila runs the notebook before the page
        connects) never saw that name and would drop every command, so each message names
        its canvas again. ipycanvas has no public way to ask for that: forgetting the last
        canvas uses its private ``_canvas_manager._current_canvas``. requirements.txt keeps
        ipycanvas to the series this is tested with (0.14), tests/test_drawing_pad.py fails
        if the attribute goes, and tests/test_browser.py shows the pad drawing in Voila.
        """
        with hold_canvas():
            self.canvas._canvas_manager._current_canvas = None
            yield

    def _paint_paper(self) -> None:
        """Blank white paper, and the pen's style (a fresh canvas has neither)."""
        canvas = self.canvas
        canvas.clear()
        canvas.fill_style = PAPER
        canvas.fill_rect(0, 0, self.width, self.side)
        canvas.stroke_style = INK
        canvas.fill_style = INK
        canvas.line_width = self.pen_width
        canvas.line_cap = "round"
        canvas.line_join = "round"

    def _repaint(self) -> None:
        """Paint the whole canvas again from Python's copy: the strokes, or the picture."""
        with self._drawing():
            self._paint_paper()
            if self._picture is not None:
                height, width = self._picture.shape[:2]
                self.canvas.put_image_data(self._picture, (self.width - width) // 2,
                                           (self.side - height) // 2)
            elif not self.strokes:
                self.canvas.fill_style = "#b0b0b0"
                self.canvas.font = f"{max(12, self.side // 14)}px sans-serif"
                self.canvas.text_align = "center"
                self.canvas.text_baseline = "middle"
                self.canvas.fill_text(self.PLACEHOLDER, self.width / 2, self.side / 2)
                self.canvas.fill_style = INK
            for stroke in self.strokes:
                if len(stroke) == 1:
                    self.canvas.fill_circle(*stroke[0], self.pen_width / 2)
                else:
                    self.canvas.stroke_lines(stroke)

    # -- reading -----------------------------------------------------------------------
    def read(self) -> Reading:
        """Read the drawing now (the pad does this by itself as you draw)."""
        if self._picture is not None and self.reading is not None:
            return self.reading  # the uploaded picture's reading stands until you draw
        canvas_like = np.zeros((self.side, self.width, 4), dtype=np.uint8)
        canvas_like[..., 3] = np.round(self.ink * 255)  # as a web canvas: ink in alpha
        return self._read(canvas_like)

    def read_image(self, source) -> Reading:
        """Read a picture instead of the drawing, and show it on the canvas.

        ``source`` is anything :func:`helpers.own_digits.read_digit` reads: a file path,
        the bytes of an image file (as the upload button gives them), a PIL image or an
        array. Raises ValueError, with what went wrong, if it is not an image.
        """
        ink = load_image(source)  # raises, before anything changes, if it is not a picture
        self._pen_is_down = False
        self._forget_drawing()
        self._picture = self._preview(ink)
        self.reading = None
        self._repaint()
        return self._read(ink)

    def _read(self, source) -> Reading:
        start = time.perf_counter()
        reading = read_digit(self.network, source)
        compute_ms = (time.perf_counter() - start) * 1000
        if reading.digit is not None:
            self.last_compute_ms = compute_ms
            self.compute_times_ms = (self.compute_times_ms + [compute_ms])[-1000:]
        self.reading = reading
        self._show(reading)
        self._last_read = time.perf_counter()
        return reading

    def _preview(self, ink: np.ndarray) -> np.ndarray:
        """A picture's ink (from :func:`load_image`) as RGBA pixels, in the pad's ink on its
        paper, fitted into the canvas."""
        scale = min(self.side / ink.shape[0], self.width / ink.shape[1])  # fit the canvas
        size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
        resample = Image.Resampling.NEAREST if scale > 1 else Image.Resampling.BOX
        amount = np.asarray(Image.fromarray(ink.astype(np.float32), mode="F").resize(size, resample))
        amount = np.clip(amount, 0.0, 1.0)[..., None]
        paper, ink_colour = (np.array(ImageColor.getrgb(colour), dtype=np.float32) for colour in (PAPER, INK))
        rgb = paper * (1.0 - amount) + ink_colour * amount
        alpha = np.full(amount.shape, 255.0, dtype=np.float32)
        return np.round(np.concatenate([rgb, alpha], axis=-1)).astype(np.uint8)

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return  # the value was just emptied, below
        upload = files[0]
        name = upload.get("name") or "the file"
        try:
            self.read_image(upload["content"])
        except (OSError, ValueError) as exc:  # the door turns every decoder's failure into these
            message = f"Could not read {name}: {exc} (your drawing is kept)"
            self.answer.value = self._answer_html(None, html.escape(message, quote=False))
        finally:
            self.upload.value = ()  # so that the same file can be uploaded again

    # -- showing the answer ------------------------------------------------------------
    def _show(self, reading: Reading | None) -> None:
        if reading is None:
            reading = Reading(None, 0.0, np.zeros(10), None, True, BLANK_MESSAGE)
        self.answer.value = self._answer_html(reading, html.escape(reading.message, quote=False))
        self.bars.value = self._bars_html(reading)
        self.seen.value = seen_png(reading.inputs)
        self.timing.value = self._timing_html()

    @staticmethod
    def _answer_html(reading: Reading | None, message: str) -> str:
        if reading is None or reading.digit is None:
            digit, state = "", "blank"
            shown = '<div class="dbh-digit dbh-blank">?</div>'
        else:
            digit = str(reading.digit)
            state = "unsure" if reading.unsure else "sure"
            colour = UNSURE_COLOUR if reading.unsure else SURE_COLOUR
            mark = '<span class="dbh-unsure-mark">?</span>' if reading.unsure else ""
            shown = f'<div class="dbh-digit" style="color: {colour}">{digit}{mark}</div>'
        return (f'<div class="dbh-answer" data-digit="{digit}" data-state="{state}">'
                f'{shown}<div class="dbh-message">{message}</div></div>')

    @staticmethod
    def _bars_html(reading: Reading) -> str:
        rows = []
        for digit, score in enumerate(np.asarray(reading.scores, dtype=float)):
            top = digit == reading.digit
            colour = (UNSURE_COLOUR if reading.unsure else SURE_COLOUR) if top else "#9bb3cf"
            weight = "font-weight: 700;" if top else ""
            rows.append(
                f'<div class="dbh-bar-row" style="{weight}">'
                f'<span class="dbh-bar-digit">{digit}</span>'
                f'<span class="dbh-bar-track"><span class="dbh-bar" style="display: block; '
                f'width: {100 * score:.1f}%; background: {colour}"></span></span>'
                f'<span class="dbh-bar-value">{100 * score:.0f}%</span></div>')
        return ('<div class="dbh-bars"><div class="dbh-caption" style="text-align: left">'
                "each digit's share of the network's output</div>" + "".join(rows) + "</div>")

    def _timing_html(self) -> str:
        if self.last_compute_ms is None:
            return '<div class="dbh-timing">&nbsp;</div>'
        mean = float(np.mean(self.compute_times_ms))
        return (f'<div class="dbh-timing">answer computed in {self.last_compute_ms:.1f} ms: '
                f"preparing the image, then the network (mean {mean:.1f} ms over "
                f"{len(self.compute_times_ms)} answers)</div>")


class NumberPad(DrawingPad):
    """A wide canvas to write a whole number on, several digits side by side, read live.

    It draws and reads as :class:`DrawingPad` does, but reads the ink with
    :func:`helpers.whole_numbers.read_number`: the number, and below the canvas the ink
    again with a box around each digit found, the digit read and its confidence. The
    parameters are :class:`DrawingPad`'s; ``size`` is the canvas's height, and it is
    ``SIDES_WIDE`` times as wide. ``reading`` is a
    :class:`helpers.whole_numbers.NumberReading`.
    """

    SIDES_WIDE = 3
    PLACEHOLDER = "write a number here, digits side by side"
    #: The picture of the boxes is this share of the canvas's size.
    BOXES_SCALE = 0.5

    def __init__(self, network=None, size: int = 280, pen_width: float | None = None,
                 throttle_ms: float = 50.0):
        self.boxes = widgets.Image(format="png")
        self.boxes.add_class("dbh-pad-boxes")
        super().__init__(network, size, pen_width, throttle_ms)
        style, drawing, _one_digit_answer = self.children
        caption = widgets.HTML('<div class="dbh-caption" style="text-align: left">'
                               "the digits found, each in its box, with what the network "
                               "read and how sure it is</div>")
        self.children = [style, widgets.VBox([drawing, self.answer, self.boxes, caption,
                                              self.timing])]

    def __repr__(self) -> str:
        return (f"NumberPad(size={self.side}): run the notebook in Jupyter to write on it, "
                "or use pad.draw_strokes(...)")

    def _read(self, source) -> NumberReading:
        start = time.perf_counter()
        reading = read_number(self.network, source)
        compute_ms = (time.perf_counter() - start) * 1000
        if reading.digits:
            self.last_compute_ms = compute_ms
            self.compute_times_ms = (self.compute_times_ms + [compute_ms])[-1000:]
        self.reading = reading
        ink = source[..., 3] / 255 if source.ndim == 3 else source  # the canvas's, or a picture's
        self._show(reading, ink)
        self._last_read = time.perf_counter()
        return reading

    def _show(self, reading: NumberReading | None, ink: np.ndarray | None = None) -> None:
        if reading is None or reading.number is None:
            self.answer.value = ('<div class="dbh-number-answer" data-number="" '
                                 'data-state="blank"><div class="dbh-digit dbh-blank">?</div>'
                                 '<div class="dbh-message">Write a number first: digits side '
                                 'by side, each one whole</div></div>')
        else:
            each = ", ".join(f'<span style="color: {_colour_of(digit)}">{digit.digit} '
                             f"({digit.confidence:.2f})</span>" for digit in reading.digits)
            unsure = ("" if min(digit.confidence for digit in reading.digits) >= UNSURE_BELOW
                      else " (in brown: not sure)")
            self.answer.value = (
                f'<div class="dbh-number-answer" data-number="{reading.number}" '
                f'data-state="read"><div class="dbh-digit" style="color: {SURE_COLOUR}">'
                f'{reading.number}</div><div class="dbh-message">each digit and how sure: '
                f"{each}{unsure}</div></div>")
        self.boxes.value = boxes_png(self.ink if ink is None else ink,
                                     reading.digits if reading else [], self.BOXES_SCALE)
        self.timing.value = self._timing_html()


def boxes_png(ink: np.ndarray, digits: Sequence[DigitInNumber], scale: float = 0.5) -> bytes:
    """A PNG of ``ink`` (0 paper to 1 ink), ``scale`` times its size, dark on white, with a
    box around each of ``digits`` and, above it, the digit read and its confidence (in brown
    when the network is unsure: its confidence is below ``UNSURE_BELOW``)."""
    height, width = ink.shape
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    grey = np.round(255 * (1 - np.clip(ink, 0, 1))).astype(np.uint8)
    drawing = Image.fromarray(grey, mode="L").resize(size, Image.Resampling.BOX)
    font_size = max(10, round(28 * scale))
    above = font_size + 6  # room for the labels of digits that touch the top
    picture = Image.new("RGB", (size[0], size[1] + above), PAPER)
    picture.paste(drawing.convert("RGB"), (0, above))
    pen = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=font_size)
    for digit in digits:
        left, top, right, bottom = (round(value * scale) for value in digit.box)
        top, bottom = top + above, bottom + above
        colour = _colour_of(digit)
        pen.rectangle((left - 2, top - 2, right + 2, bottom + 2), outline=colour, width=2)
        label = f"{digit.digit} ({digit.confidence:.2f})"
        pen.text((left - 2, top - 4), label, fill=colour, font=font, anchor="lb")
    file = io.BytesIO()
    picture.save(file, format="PNG", compress_level=1)
    return file.getvalue()


def _colour_of(digit: DigitInNumber) -> str:
    return UNSURE_COLOUR if digit.confidence < UNSURE_BELOW else SURE_COLOUR


class PadSwitch(widgets.VBox):
    """The drawing pad with a switch above it: read one digit (:class:`DrawingPad`) or a
    whole number (:class:`NumberPad`), with the same network. ``apps/drawing_pad.ipynb``
    shows it. The number pad is made the first time it is asked for."""

    MODES = ("One digit", "A whole number")

    def __init__(self, network=None, size: int = 280):
        self.digit_pad = DrawingPad(network, size)
        self.number_pad: NumberPad | None = None
        self.mode = widgets.ToggleButtons(options=self.MODES, value=self.MODES[0],
                                          tooltips=["Draw one digit, 0 to 9",
                                                    "Write several digits side by side"])
        self.mode.add_class("dbh-pad-mode")
        self.mode.observe(self._on_mode, names="value")
        super().__init__([self.mode, self.digit_pad])

    def __repr__(self) -> str:
        return (f"PadSwitch(size={self.digit_pad.side}): run the notebook in Jupyter to draw "
                "on it, one digit or a whole number")

    @property
    def pad(self) -> DrawingPad:
        """The pad shown now."""
        return self.children[1]

    def _on_mode(self, change) -> None:
        if change["new"] == self.MODES[1]:
            if self.number_pad is None:
                self.number_pad = NumberPad(self.digit_pad.network, self.digit_pad.side)
            self.children = [self.mode, self.number_pad]
        else:
            self.children = [self.mode, self.digit_pad]
