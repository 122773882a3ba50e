"""The drawing pad, driven from Python: strokes in, the answer it shows out.

The canvas's events are sent through ipycanvas's own event handler, as a browser sends
them; tests/test_browser.py draws with a real mouse in a real browser.
"""

from __future__ import annotations

import io
import math
from datetime import datetime, timezone

import numpy as np
import pytest
from ipycanvas.canvas import COMMANDS
from PIL import Image, ImageColor, ImageDraw

from helpers.data import DATA_DIR
from helpers.drawing_pad import (SEEN_SCALE, SURE_COLOUR, UNSURE_COLOUR, DrawingPad, NumberPad,
                                 PadSwitch, boxes_png, seen_png)
from helpers.own_digits import BLANK_MESSAGE
from helpers.saving import BEST_MODEL, DEFAULT_MODEL, load_network
from helpers.strokes import draw_strokes, stamp_segment
from helpers.whole_numbers import DigitInNumber, read_number


def ellipse(cx: float, cy: float, rx: float, ry: float, points: int = 40) -> list:
    """Points around an ellipse, starting at the top, clockwise."""
    return [(cx + rx * math.sin(t), cy - ry * math.cos(t))
            for t in np.linspace(0, 2 * math.pi, points)]


#: Digits drawn as a learner draws them on the 280-pixel canvas: lists of strokes.
DRAWN = {
    0: [ellipse(140, 140, 60, 95)],
    1: [[(140, 40), (140, 240)]],
    3: [[(80, 60), (190, 60), (130, 130), (190, 170), (180, 220), (130, 235), (80, 220)]],
    4: [[(170, 240), (170, 40), (70, 170), (210, 170)]],
    7: [[(80, 60), (200, 60), (120, 235)]],
    8: [ellipse(140, 90, 45, 45) + ellipse(140, 185, 55, 50)],
}


@pytest.fixture(scope="module")
def network():
    return load_network(DEFAULT_MODEL)


@pytest.fixture
def pad(network):
    return DrawingPad(network)


def shown_digit(pad: DrawingPad) -> str:
    """The digit that the pad's answer shows ("" when none), read from its HTML."""
    html = pad.answer.value
    start = html.index('data-digit="') + len('data-digit="')
    return html[start:html.index('"', start)]


def shown_state(pad: DrawingPad) -> str:
    html = pad.answer.value
    start = html.index('data-state="') + len('data-state="')
    return html[start:html.index('"', start)]


def canvas_event(pad: DrawingPad, event: str, **content) -> None:
    """Send the canvas an event the way the browser does."""
    pad.canvas._handle_frontend_event(None, {"event": event, **content}, [])


def png_bytes(image: Image.Image) -> bytes:
    file = io.BytesIO()
    image.save(file, format="PNG")
    return file.getvalue()


def uploaded(name: str, content: bytes) -> tuple[dict, ...]:
    """A FileUpload value, as the browser sends it."""
    return ({"name": name, "type": "image/png", "size": len(content),
             "content": memoryview(content), "last_modified": datetime.now(timezone.utc)},)


# -- drawing ---------------------------------------------------------------------------

@pytest.mark.parametrize("digit", sorted(DRAWN))
def test_a_clearly_drawn_digit_is_shown(pad, digit):
    reading = pad.draw_strokes(DRAWN[digit])
    assert reading.digit == digit, reading.message
    assert not reading.unsure
    assert shown_digit(pad) == str(digit)
    assert shown_state(pad) == "sure"
    assert f"It's {'an' if digit == 8 else 'a'} {digit}" in pad.answer.value


def test_a_new_pad_asks_for_a_digit(pad):
    assert shown_digit(pad) == ""
    assert shown_state(pad) == "blank"
    assert BLANK_MESSAGE in pad.answer.value
    assert pad.reading is None and pad.last_compute_ms is None
    assert pad.draw_strokes([]).digit is None
    assert BLANK_MESSAGE in pad.answer.value


def test_a_dot_is_marked_unsure(pad):
    reading = pad.draw_strokes([[(140, 140)]])
    assert reading.unsure
    assert shown_state(pad) == "unsure"
    assert 'class="dbh-unsure-mark"' in pad.answer.value


def test_clear_resets_the_pad(pad):
    blank_answer, blank_bars, blank_seen = pad.answer.value, pad.bars.value, pad.seen.value
    pad.draw_strokes(DRAWN[7])
    assert pad.ink.max() == 1 and pad.strokes
    pad.clear_button.click()
    assert pad.ink.max() == 0 and pad.strokes == [] and pad.reading is None
    assert (pad.answer.value, pad.bars.value, pad.seen.value) == (
        blank_answer, blank_bars, blank_seen)


def test_mouse_events_draw_and_the_answer_comes_when_the_pen_lifts(network):
    pad = DrawingPad(network, throttle_ms=1e9)  # one answer while the pen moves, at once
    (x, y), *rest = DRAWN[7][0]
    canvas_event(pad, "mouse_move", x=x, y=y)  # hovering draws nothing
    assert pad.ink.max() == 0 and pad.reading is None
    canvas_event(pad, "mouse_down", x=x, y=y)
    for x, y in rest:
        canvas_event(pad, "mouse_move", x=x, y=y)
    assert len(pad.compute_times_ms) == 1  # the first move's answer: the top bar of the 7
    canvas_event(pad, "mouse_up", x=x, y=y)
    assert len(pad.compute_times_ms) == 2
    assert pad.reading.digit == 7 and shown_digit(pad) == "7"
    assert pad.strokes == [DRAWN[7][0]]


def test_the_answer_is_live_while_the_pen_moves(network):
    pad = DrawingPad(network, throttle_ms=0)
    canvas_event(pad, "mouse_down", x=140, y=40)
    for y in range(50, 250, 10):
        canvas_event(pad, "mouse_move", x=140, y=y)
    assert len(pad.compute_times_ms) == 20  # one answer per move
    assert shown_digit(pad) == "1"


def test_leaving_the_canvas_ends_the_stroke(pad):
    canvas_event(pad, "mouse_down", x=80, y=60)
    canvas_event(pad, "mouse_move", x=200, y=60)
    canvas_event(pad, "mouse_out", x=279, y=60)
    canvas_event(pad, "mouse_move", x=120, y=235)  # back in, button up: not drawing
    assert pad.strokes == [[(80, 60), (200, 60)]]


def test_a_finger_draws_like_the_mouse(pad):
    first, *rest = DRAWN[1][0]
    canvas_event(pad, "touch_start", touches=[{"x": first[0], "y": first[1]}])
    for x, y in rest:
        canvas_event(pad, "touch_move", touches=[{"x": x, "y": y}])
    canvas_event(pad, "touch_end", touches=[])
    assert pad.reading.digit == 1 and shown_digit(pad) == "1"


def test_every_message_to_the_browser_names_its_canvas(pad, monkeypatch):
    """Voila runs the notebook before the page connects: a page that never saw which
    canvas the commands are for would drop them all (and the pad would stay blank)."""
    messages = []
    manager = pad.canvas._canvas_manager
    monkeypatch.setattr(manager, "_send_custom",
                        lambda command, buffers=[]: messages.append(command))
    canvas_event(pad, "client_ready")
    pad.draw_strokes(DRAWN[7])
    canvas_event(pad, "mouse_down", x=10, y=10)
    canvas_event(pad, "mouse_move", x=20, y=20)
    assert len(messages) >= 4
    for batch in messages:
        assert batch[0][0] == COMMANDS["switchCanvas"]


# -- the ink ---------------------------------------------------------------------------

def test_a_stroke_covers_the_area_of_a_round_capped_line():
    ink = np.zeros((200, 200), dtype=np.float32)
    stamp_segment(ink, (50, 100), (150, 100), radius=10)
    # a 100 x 20 rectangle and two half discs of radius 10
    assert ink.sum() == pytest.approx(100 * 20 + math.pi * 10 ** 2, rel=0.005)
    assert ink[100, 100] == 1 and ink[100, 45] == 1  # on the line, and inside a cap
    assert ink[100, 38] == 0 and ink[85, 100] == 0  # beyond the cap, beyond the edge
    assert ink[99, 50:150].min() == 1


def test_draw_strokes_draws_each_piece_as_the_pad_does(pad):
    """One rasteriser: the pad's ink and a drawing made by helpers.strokes are the same."""
    strokes = DRAWN[3] + [[(30, 40)]]
    pad.draw_strokes(strokes)
    assert np.array_equal(draw_strokes(strokes, pad.side, pad.pen_width), pad.ink)
    assert draw_strokes([], (3, 5), 2).shape == (3, 5)
    with pytest.raises(ValueError, match="pen_width"):
        draw_strokes(strokes, 100, 0)


def test_the_ink_follows_the_strokes(pad):
    pad.draw_strokes([[(20, 30), (20, 30.0)], [(250, 260)]])
    assert pad.ink[30, 20] == 1 and pad.ink[260, 250] == 1
    assert pad.ink[150, 150] == 0


def test_the_pad_shows_the_image_the_network_reads(pad):
    reading = pad.draw_strokes(DRAWN[4])
    shown = np.asarray(Image.open(io.BytesIO(pad.seen.value)), dtype=float)
    assert shown.shape == (28 * SEEN_SCALE, 28 * SEEN_SCALE)
    # the middle of each big square is one pixel: dark ink on white paper
    middle = shown[SEEN_SCALE // 2::SEEN_SCALE, SEEN_SCALE // 2::SEEN_SCALE]
    inputs = reading.inputs.reshape(28, 28)
    expected = 255 * (1 - (inputs - 0.01) / 0.99)
    assert np.abs(middle - expected).max() <= 1
    assert seen_png(None) == seen_png(np.full(784, 0.01))


def test_the_bars_show_every_digit_s_share(pad):
    reading = pad.draw_strokes(DRAWN[3])
    for digit in range(10):
        assert f'<span class="dbh-bar-digit">{digit}</span>' in pad.bars.value
        assert f"width: {100 * reading.scores[digit]:.1f}%" in pad.bars.value


# -- uploading a picture ---------------------------------------------------------------

def paper_with_a_seven() -> Image.Image:
    """A 7 written in dark ink on light paper, as in a photo."""
    image = Image.new("RGB", (400, 300), (235, 232, 225))
    draw = ImageDraw.Draw(image)
    draw.line([(150, 50), (260, 50), (180, 250)], fill=(30, 30, 60), width=16, joint="curve")
    return image


def test_an_uploaded_picture_is_read(pad):
    pad.upload.value = uploaded("seven.png", png_bytes(paper_with_a_seven()))
    assert pad.reading.digit == 7 and shown_digit(pad) == "7"
    assert pad.upload.value == ()  # ready for the next file, even the same one again
    assert pad._picture is not None and pad._picture.shape == (210, 280, 4)
    pad.read()  # moving the pen over the picture changes nothing
    assert shown_digit(pad) == "7"


def test_an_uploaded_mnist_digit_is_read_as_its_label(pad):
    row = np.loadtxt(DEFAULT_MODEL.parent.parent / "data" / "mnist_test_10.csv",
                     delimiter=",", max_rows=1, dtype=np.uint8)
    label, pixels = int(row[0]), row[1:].reshape(28, 28)
    reading = pad.read_image(png_bytes(Image.fromarray(pixels).resize((112, 112))))
    assert reading.digit == label and shown_digit(pad) == str(label)


def test_drawing_after_an_upload_starts_a_new_drawing(pad):
    pad.read_image(png_bytes(paper_with_a_seven()))
    reading = pad.draw_strokes(DRAWN[1])
    assert pad._picture is None and len(pad.strokes) == 1
    assert reading.digit == 1 and shown_digit(pad) == "1"


def test_a_file_that_is_not_a_picture_gets_a_message(pad):
    pad.upload.value = uploaded("notes.txt", b"not a picture")
    assert "Could not read notes.txt" in pad.answer.value
    assert shown_state(pad) == "blank" and pad.upload.value == ()
    assert "not an image that can be read" in pad.answer.value
    with pytest.raises(ValueError, match="not an image"):
        pad.read_image(b"not a picture")


# -- the network, the timing line and the rest ---------------------------------------------

def test_the_pad_shows_how_long_each_answer_took(pad):
    """What the timing line says (not how fast it is: benchmarks/answer_speed.py measures that)."""
    assert "ms" not in pad.timing.value  # no answer yet, no time
    pad.draw_strokes(DRAWN[8])
    for _ in range(4):
        pad.read()
    assert len(pad.compute_times_ms) == 5 and all(t > 0 for t in pad.compute_times_ms)
    assert pad.last_compute_ms == pad.compute_times_ms[-1]
    assert f"{pad.last_compute_ms:.1f} ms" in pad.timing.value
    assert f"mean {np.mean(pad.compute_times_ms):.1f} ms over 5 answers" in pad.timing.value


def test_by_default_the_pad_reads_with_the_best_shipped_network():
    """The same on every machine: no timing decides it (helpers.saving.load_reading_network)."""
    best = load_network(BEST_MODEL)
    pad = DrawingPad()
    assert pad.network.config() == best.config()
    for name, value in best.parameters().items():
        assert np.array_equal(pad.network.parameters()[name], value)
    assert pad.draw_strokes(DRAWN[7]).digit == 7


def test_the_private_ipycanvas_attribute_the_pad_relies_on_is_there():
    """DrawingPad._drawing makes ipycanvas name the canvas again by forgetting its last
    canvas, a private attribute (there is no public way). requirements.txt keeps ipycanvas
    to the 0.14 series; if a release drops the attribute, this says so before a browser does."""
    import ipycanvas

    pad = DrawingPad(load_network(DEFAULT_MODEL))
    manager = pad.canvas._canvas_manager
    assert hasattr(manager, "_current_canvas"), (
        f"ipycanvas {ipycanvas.__version__} has no _canvas_manager._current_canvas: "
        "change DrawingPad._drawing, or keep ipycanvas below this version in requirements.txt")
    pad.draw_strokes(DRAWN[1])
    assert manager._current_canvas is pad.canvas  # what _drawing forgets before each batch


def test_the_size_and_pen_can_be_chosen(network):
    pad = DrawingPad(network, size=140, pen_width=12)
    assert (pad.canvas.width, pad.canvas.height, pad.ink.shape) == (140, 140, (140, 140))
    assert pad.pen_width == 12
    assert pad.draw_strokes([[(40, 30), (100, 30), (60, 118)]]).digit == 7
    for size in (10, 100.5):
        with pytest.raises(ValueError, match="size"):
            DrawingPad(network, size=size)
    with pytest.raises(ValueError, match="pen_width"):
        DrawingPad(network, pen_width=0)


def test_outside_jupyter_the_pad_says_what_it_is(pad):
    assert "DrawingPad" in repr(pad) and "draw_strokes" in repr(pad)


def test_an_upload_too_large_to_decode_safely_is_refused_before_decoding(pad, monkeypatch):
    from helpers import image_files

    pad.draw_strokes(DRAWN[1])
    monkeypatch.setattr(image_files, "MAX_PIXELS", 100 * 100 - 1)  # stands in for a bomb
    with pytest.raises(ValueError, match="pixels"):
        pad.read_image(png_bytes(paper_with_a_seven().resize((100, 100))))
    assert pad._picture is None and len(pad.strokes) == 1  # the drawing is kept


# -- a whole number: NumberPad, and the switch between the two pads ----------------------

def shifted(strokes: list, dx: float) -> list:
    return [[(x + dx, y) for x, y in stroke] for stroke in strokes]


def shown_number(pad: NumberPad) -> str:
    html = pad.answer.value
    start = html.index('data-number="') + len('data-number="')
    return html[start:html.index('"', start)]


def test_a_number_pad_reads_each_digit_written_side_by_side_live(network):
    pad = NumberPad(network, throttle_ms=1e9)
    assert pad.ink.shape == (280, 840) and (pad.canvas.width, pad.canvas.height) == (840, 280)
    assert shown_number(pad) == "" and "Write a number first" in pad.answer.value
    strokes = shifted(DRAWN[1], -60) + shifted(DRAWN[7], 110) + shifted(DRAWN[4], 330)
    for stroke in strokes:  # with the mouse, as the browser sends it
        canvas_event(pad, "mouse_down", x=stroke[0][0], y=stroke[0][1])
        for x, y in stroke[1:]:
            canvas_event(pad, "mouse_move", x=x, y=y)
        canvas_event(pad, "mouse_up", x=stroke[-1][0], y=stroke[-1][1])
    reading = pad.reading
    assert reading.number == "174" and shown_number(pad) == "174"
    # each digit's box is where its strokes are, and the answer names each digit
    for digit, stroke_set in zip(reading.digits, [strokes[0:1], strokes[1:2], strokes[2:3]]):
        xs = [x for stroke in stroke_set for x, _ in stroke]
        assert abs(digit.box[0] - (min(xs) - pad.pen_width / 2)) <= 3
        assert abs(digit.box[2] - (max(xs) + pad.pen_width / 2)) <= 3
        assert f"{digit.digit} ({digit.confidence:.2f})" in pad.answer.value
    # as read_number reads the same ink
    alone = read_number(network, np.dstack([np.zeros((280, 840, 3), np.uint8),
                                            np.round(pad.ink * 255).astype(np.uint8)]))
    assert alone == reading


def test_the_number_pad_shows_the_boxes_it_found(network):
    pad = NumberPad(network)
    blank = Image.open(io.BytesIO(pad.boxes.value))
    pad.draw_strokes(shifted(DRAWN[1], -60) + shifted(DRAWN[7], 110))
    picture = np.asarray(Image.open(io.BytesIO(pad.boxes.value)).convert("RGB")).astype(int)
    assert picture.shape[1] == 420 and blank.size == (420, picture.shape[0])
    box_colour = np.array([31, 95, 174])  # SURE_COLOUR
    boxed = np.abs(picture - box_colour).sum(axis=2) < 30
    columns = np.nonzero(boxed.any(axis=0))[0]
    # the boxes' left sides, at half the canvas's scale, where the two digits begin
    for digit in pad.reading.digits:
        assert np.abs(columns - (digit.box[0] / 2 - 2)).min() <= 2
    pad.clear()
    assert pad.reading is None and shown_number(pad) == ""
    assert pad.boxes.value == boxes_png(np.zeros((280, 840)), [], 0.5)


def test_a_picture_uploaded_to_the_number_pad_is_read_as_a_number(network):
    pad = NumberPad(network)
    path = DATA_DIR / "own_digits" / "numbers" / "53_drawing.png"
    reading = pad.read_image(path)
    assert reading.number == "53" and shown_number(pad) == "53"


def test_the_switch_shows_one_pad_or_the_other_with_one_network(network):
    switch = PadSwitch(network)
    assert switch.pad is switch.digit_pad and switch.number_pad is None  # made when asked
    assert switch.mode.value == "One digit"
    switch.mode.value = "A whole number"
    assert isinstance(switch.pad, NumberPad) and switch.pad.network is network
    assert switch.digit_pad not in switch.children
    switch.pad.draw_strokes(shifted(DRAWN[4], -60) + shifted(DRAWN[1], 110))
    assert switch.pad.reading.number == "41"
    switch.mode.value = "One digit"
    assert switch.pad is switch.digit_pad and switch.number_pad not in switch.children
    switch.mode.value = "A whole number"  # the number is still there
    assert switch.pad.reading.number == "41"


def test_the_one_digit_pad_stays_square(network):
    pad = DrawingPad(network)
    assert pad.ink.shape == (280, 280) and (pad.canvas.width, pad.canvas.height) == (280, 280)
    assert len(pad.children) == 3


def test_the_boxes_of_unsure_digits_are_drawn_in_the_unsure_colour():
    ink = np.zeros((280, 840), dtype=np.float32)
    digits = [DigitInNumber(1, 0.3, (100, 40, 120, 240)),
              DigitInNumber(7, 0.99, (300, 40, 420, 240))]
    picture = np.asarray(Image.open(io.BytesIO(boxes_png(ink, digits))).convert("RGB")).astype(int)
    for digit, colour in zip(digits, [UNSURE_COLOUR, SURE_COLOUR]):
        rgb = np.array(ImageColor.getrgb(colour))
        near = np.abs(picture - rgb).sum(axis=2) < 30
        columns = np.nonzero(near.any(axis=0))[0]
        assert columns.min() >= digit.box[0] / 2 - 4 and columns.max() <= digit.box[2] / 2 + 40


def test_a_file_that_is_not_a_picture_leaves_the_number_pad_s_number(network):
    pad = NumberPad(network)
    reading = pad.draw_strokes(shifted(DRAWN[1], -60) + shifted(DRAWN[7], 110))
    ink = pad.ink.copy()
    pad.upload.value = uploaded("notes.txt", b"not a picture")
    assert "Could not read notes.txt" in pad.answer.value and "drawing is kept" in pad.answer.value
    assert np.array_equal(pad.ink, ink) and pad.reading is reading
    assert pad.read().number == "17"
