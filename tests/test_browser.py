"""The drawing pad in a real browser: Voila, JupyterLab and Notebook 7 in headless Chromium.

Each test starts the server on 127.0.0.1 with a random token, opens the pad in Chromium
through Playwright, draws a digit with mouse moves and checks the answer that the page
shows. When a test fails, a screenshot of the page is kept in tests/browser_failures/
(ignored by git), and the server's log and the browser's errors are printed.

The browser is Debian's Chromium (``apt-get install chromium``; .ci/run installs it), never
one downloaded by ``playwright install``; tests/chromium.py says where it is, for these tests
and for .ci/run alike. Without it, or without Playwright, these tests are skipped, except
under CI (``CI=true``), where either missing is a failure. The test that Voila asks for its
token needs no browser, and runs wherever Voila does.

JupyterLab saves checkpoints (and may save the notebook) when it opens one, so it serves a
copy of apps/drawing_pad.ipynb from a temporary folder; Voila only reads the notebook, so it
serves apps/drawing_pad.ipynb itself, as README's command does. Either way the course's
files stay as they were, which each test checks.

Set DRAWING_PAD_SCREENSHOTS to a folder to keep a screenshot of each pad that passes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from chromium import CHROMIUM, browser_problem, in_ci, playwright_problem

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "apps" / "drawing_pad.ipynb"
FAILURES = ROOT / "tests" / "browser_failures"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]

#: How long to wait, at most, in seconds: for a server to answer, for a page to show the
#: pad (JupyterLab also runs the notebook), and for the answer after drawing.
SERVER_START = 60
PAD_APPEARS = 60
ANSWER_APPEARS = 20

#: Strokes as (x, y) points in canvas pixels (the canvas is 280 x 280).
SEVEN = [(80, 60), (200, 60), (120, 235)]
ONE = [(140, 40), (140, 240)]
FOUR = [(170, 240), (170, 40), (70, 170), (210, 170)]


# -- the browser -----------------------------------------------------------------------

def need_browser() -> None:
    """Skip (fail under CI) when Chromium or Playwright is missing."""
    problem = browser_problem() or playwright_problem()
    if problem and in_ci():
        pytest.fail(f"{problem}; under CI the browser tests must run (.ci/run installs "
                    "Chromium)", pytrace=False)
    if problem:
        pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture(scope="module")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


# -- the servers -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A Jupyter or Voila server started for a test, with its own token and log."""

    def __init__(self, name: str, command: list[str], cwd: Path, env: dict, log: Path,
                 port: int, token: str):
        self.name, self.port, self.token, self.log = name, port, token, log
        self.started = time.monotonic()
        with open(log, "wb") as output:
            # a session of its own: stopping it also stops the kernels it started
            self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def url(self, path: str) -> str:
        separator = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}{path}{separator}token={self.token}"

    def wait_until_ready(self, path: str) -> None:
        """Wait (at most SERVER_START seconds) until the server answers ``path``."""
        deadline = self.started + SERVER_START
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} stopped at start (exit code {self.process.returncode})"
                            f":\n{self.log_tail()}", pytrace=False)
            try:
                urllib.request.urlopen(self.url(path), timeout=5).close()
                return
            except urllib.error.HTTPError:
                return  # it answers, if only to refuse: it is up
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"{self.name} did not answer within {SERVER_START} s:\n"
                                f"{self.log_tail()}", pytrace=False)
                time.sleep(0.25)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the server shuts its kernels down
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # any kernel left behind

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory) -> dict:
    """Settings of their own for the servers: no autosave, no news, nothing in ~/.jupyter."""
    home = tmp_path_factory.mktemp("jupyter")
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab"
    for plugin, values in {
        "docmanager-extension/plugin": {"autosave": False},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        file = settings / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))
    return dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
                JUPYTER_RUNTIME_DIR=str(home / "runtime"), PYTHONUNBUFFERED="1")


@pytest.fixture(scope="module")
def voila(jupyter_env, tmp_path_factory):
    port, token = free_port(), secrets.token_hex(16)
    server = Server(
        "Voila",
        [sys.executable, "-m", "voila", "apps/drawing_pad.ipynb", "--no-browser",
         f"--port={port}", "--Voila.port_retries=0", "--Voila.ip=127.0.0.1",
         f"--token={token}", "--show_tracebacks=True"],
        cwd=ROOT, env=jupyter_env, log=tmp_path_factory.mktemp("voila") / "voila.log",
        port=port, token=token)
    try:
        server.wait_until_ready("/voila/static/")
        yield server
    finally:
        server.stop()


def copy_without_outputs(source: Path, target: Path) -> None:
    """Copy a notebook without its outputs, so that the only pad on the page is live."""
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    notebook["metadata"].pop("widgets", None)
    target.write_text(json.dumps(notebook), encoding="utf-8")


@pytest.fixture(scope="module")
def jupyter(browser, jupyter_env, tmp_path_factory):
    """A Jupyter server (JupyterLab, Notebook 7 and Voila's server extension, as on Binder)
    serving copies of the pad's notebook."""
    root = tmp_path_factory.mktemp("notebooks")
    for name in ("drawing_pad_lab.ipynb", "drawing_pad_notebook7.ipynb",
                 "drawing_pad_binder.ipynb"):
        copy_without_outputs(APP, root / name)
    port, token = free_port(), secrets.token_hex(16)
    server = Server(
        "JupyterLab",
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.allow_root=True"],
        cwd=root, env=jupyter_env, log=root.parent / f"{root.name}.log", port=port,
        token=token)
    try:
        server.wait_until_ready("/api/status")
        yield server
    finally:
        server.stop()


# -- on the page -----------------------------------------------------------------------

@contextlib.contextmanager
def open_page(browser, server: Server, name: str):
    """A new page; if the test fails, keep a screenshot and print what went wrong."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(PAD_APPEARS * 1000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda message: errors.append(f"console: {message.text}")
            if message.type == "error" else None)
    try:
        yield page
    except BaseException:
        FAILURES.mkdir(exist_ok=True)
        shot = FAILURES / f"{name}.png"
        with contextlib.suppress(Exception):
            page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failed page: {shot}")
        print("the browser's errors:", *errors[-20:], sep="\n  ")
        print(f"{server.name}'s log, its end:\n{server.log_tail()}")
        raise
    else:
        keep = os.environ.get("DRAWING_PAD_SCREENSHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            page.locator(".dbh-pad").first.screenshot(path=str(Path(keep) / f"{name}.png"))
    finally:
        page.close()


def wait_for_pad(page):
    """The pad's canvas, once it is on the page and painted (so its kernel is listening)."""
    canvas = page.locator("canvas.dbh-pad-canvas").first
    canvas.wait_for(state="visible")
    canvas.scroll_into_view_if_needed()
    page.wait_for_function("canvas => canvas.getContext('2d').getImageData(140, 140, 1, 1)"
                           ".data[3] > 0", arg=canvas.element_handle())
    return canvas


def ink_pixels(canvas) -> int:
    """How many pixels of the canvas, as the browser shows it, are dark ink."""
    return canvas.evaluate("""canvas => {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200 && data[i] < 100) ink++;
        return ink;
    }""")


def draw(page, canvas, points, release: bool = True, width: int = 280) -> None:
    """Draw a stroke through ``points`` (canvas pixels) with the mouse, on a canvas
    ``width`` pixels wide."""
    box = canvas.bounding_box()
    scale = box["width"] / width

    def at(point):
        return box["x"] + point[0] * scale, box["y"] + point[1] * scale

    page.mouse.move(*at(points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*at(point), steps=12)
    if release:
        page.mouse.up()


def answer(page, digit: str = "", state: str = "", timeout: float = ANSWER_APPEARS):
    """Wait until the pad shows ``digit`` (and ``state``), then return the answer's element."""
    selector = ".dbh-answer"
    selector += f'[data-digit="{digit}"]' if digit else ""
    selector += f'[data-state="{state}"]' if state else ""
    element = page.locator(selector).first
    element.wait_for(timeout=timeout * 1000)
    return element


#: True once the notebook's kernel has been connected and idle for half a second. (The
#: execution indicator says "idle" also before there is a kernel, with "No Kernel" beside.)
KERNEL_READY = """() => {
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status;
    const kernel = document.querySelector('.jp-KernelName')?.innerText ?? '';
    if (status !== 'idle' || kernel === '' || kernel.includes('No Kernel')) {
        window.dbhKernelReadySince = undefined;
        return false;
    }
    window.dbhKernelReadySince ??= Date.now();
    return Date.now() - window.dbhKernelReadySince > 500;
}"""


def run_all_cells(page) -> None:
    """Run > Run All Cells, from the menu (the same in JupyterLab and Notebook 7).

    Only once the kernel is ready: cells run while it still connects may never run."""
    page.wait_for_function(KERNEL_READY, polling=100)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click()
    page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]').click()


@pytest.fixture
def course_unchanged():
    """Checks that the test leaves the pad's notebook and its folder as they were."""
    before = (hashlib.sha256(APP.read_bytes()).hexdigest(), sorted(APP.parent.iterdir()))
    yield
    after = (hashlib.sha256(APP.read_bytes()).hexdigest(), sorted(APP.parent.iterdir()))
    assert after == before, "the browser test changed apps/"


def seven_on_paper_png() -> bytes:
    """A photo-like picture of a 7: dark ink on light paper."""
    image = Image.new("RGB", (300, 300), (236, 233, 226))
    ImageDraw.Draw(image).line([(90, 60), (210, 60), (130, 250)], fill=(25, 25, 50),
                               width=14, joint="curve")
    file = io.BytesIO()
    image.save(file, format="PNG")
    return file.getvalue()


# -- the tests -------------------------------------------------------------------------

@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception),
                                         ("", pytest.skip.Exception)])
@pytest.mark.parametrize("missing", ["chromium", "playwright"])
def test_a_missing_browser_or_playwright_fails_under_ci_and_skips_elsewhere(
        monkeypatch, tmp_path, ci, outcome, missing):
    import chromium

    monkeypatch.setenv("CI", ci)
    if missing == "chromium":
        monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "no-chromium")
    else:
        monkeypatch.setattr(chromium.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(outcome, match="Chromium is not installed|playwright package is missing"):
        need_browser()


def test_ci_run_looks_for_the_browser_where_the_tests_do(tmp_path):
    """.ci/run asks tests/chromium.py, so the two cannot disagree about the browser."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "tests/chromium.py" in script and "command -v chromium" not in script
    found = subprocess.run([sys.executable, str(ROOT / "tests" / "chromium.py")],
                           capture_output=True, text=True)
    assert found.returncode == (0 if browser_problem() is None else 1)
    assert str(CHROMIUM) in found.stdout


def test_voila_asks_for_the_token(voila):
    for query in ("", "?token=wrong"):
        with urllib.request.urlopen(f"http://127.0.0.1:{voila.port}/{query}",
                                    timeout=10) as response:
            assert urllib.parse.urlsplit(response.geturl()).path == "/login"


def test_voila_page_reads_a_digit_as_it_is_drawn(browser, voila, course_unchanged):
    with open_page(browser, voila, "voila") as page:
        page.goto(voila.url("/"))
        canvas = wait_for_pad(page)
        answer(page, state="blank")
        assert "Draw a digit first" in page.locator(".dbh-answer").inner_text()

        draw(page, canvas, SEVEN, release=False)
        answer(page, state="sure")  # an answer while the pen is still down
        page.mouse.up()
        answer(page, digit="7", state="sure")
        assert ink_pixels(canvas) > 2000  # the strokes show on the canvas
        bars = page.locator(".dbh-bar-row").all_inner_texts()
        assert [row.split()[0] for row in bars] == [str(digit) for digit in range(10)]
        assert "ms" in page.locator(".dbh-timing").inner_text()

        page.locator(".dbh-pad-clear").click()
        answer(page, state="blank")
        assert ink_pixels(canvas) == 0

        with page.expect_file_chooser() as chooser:
            page.locator(".dbh-pad-upload").click()
        chooser.value.set_files(files=[{"name": "seven.png", "mimeType": "image/png",
                                        "buffer": seven_on_paper_png()}])
        answer(page, digit="7", state="sure")
        assert ink_pixels(canvas) > 1000  # the picture shows on the canvas


@pytest.mark.parametrize("front_end, path, stroke, digit", [
    ("jupyterlab", "/lab/tree/drawing_pad_lab.ipynb", ONE, "1"),
    ("notebook7", "/notebooks/drawing_pad_notebook7.ipynb", FOUR, "4"),
])
def test_jupyter_runs_the_notebook_and_reads_a_digit(browser, jupyter, course_unchanged,
                                                     front_end, path, stroke, digit):
    """JupyterLab and Notebook 7: run the pad's notebook from the menu, then draw on it."""
    with open_page(browser, jupyter, front_end) as page:
        page.goto(jupyter.url(path))
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        run_all_cells(page)
        canvas = wait_for_pad(page)
        answer(page, state="blank")
        draw(page, canvas, stroke)
        answer(page, digit=digit, state="sure")
        assert ink_pixels(canvas) > 1000


def test_voila_inside_the_jupyter_server_as_on_binder(browser, jupyter, course_unchanged):
    """Binder's address for the page: voila/render/apps/drawing_pad.ipynb (notebook 05)."""
    with open_page(browser, jupyter, "voila_render") as page:
        page.goto(jupyter.url("/voila/render/drawing_pad_binder.ipynb"))
        canvas = wait_for_pad(page)
        draw(page, canvas, SEVEN)
        answer(page, digit="7", state="sure")


def test_voila_page_reads_a_two_digit_number_written_in_number_mode(browser, voila,
                                                                     course_unchanged):
    """The switch above the pad: "A whole number" gives a wide canvas on which each digit
    written is found, boxed and read."""
    with open_page(browser, voila, "voila_number") as page:
        page.goto(voila.url("/"))
        wait_for_pad(page)
        page.locator(".dbh-pad-mode button", has_text="A whole number").click()
        canvas = page.locator('canvas.dbh-pad-canvas[width="840"]')
        canvas.wait_for(state="visible")
        canvas.scroll_into_view_if_needed()
        page.wait_for_function("canvas => canvas.getContext('2d').getImageData(420, 140, 1, 1)"
                               ".data[3] > 0", arg=canvas.element_handle())
        blank = page.locator('.dbh-number-answer[data-state="blank"]')
        blank.wait_for(timeout=ANSWER_APPEARS * 1000)
        draw(page, canvas, [(x + 200, y) for x, y in ONE], width=840)
        draw(page, canvas, [(x + 400, y) for x, y in SEVEN], width=840)
        number = page.locator('.dbh-number-answer[data-number="17"]')
        number.wait_for(timeout=ANSWER_APPEARS * 1000)
        assert "1 (" in number.inner_text() and "7 (" in number.inner_text()
        assert ink_pixels(canvas) > 2000
        boxes = page.locator("img.dbh-pad-boxes")
        assert boxes.evaluate("image => image.naturalWidth") == 420

        page.locator(".dbh-pad-mode button", has_text="One digit").click()
        page.locator("canvas.dbh-pad-canvas[width='280']").wait_for(state="visible")
        answer(page, state="blank")  # the one-digit pad, as it was
