"""Where the browser tests find their browser: one place, for the tests and for .ci/run.

The browser tests drive Debian's Chromium at :data:`CHROMIUM` (``apt-get install
chromium``), never a browser downloaded by ``playwright install`` and never whatever
``chromium`` comes first on PATH. .ci/run runs this file to learn whether to install it::

    python3 tests/chromium.py    # exit status 0 if Chromium is there, else 1 and why
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

#: Debian's Chromium, the browser of the browser tests.
CHROMIUM = Path("/usr/bin/chromium")


def in_ci() -> bool:
    """Whether this runs under CI (``CI=true``, as CI services and .ci/run set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def browser_problem() -> str | None:
    """What keeps Chromium from running here, in words; None if it is there."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"Chromium is not installed at {CHROMIUM} (on Debian or Ubuntu: "
                "apt-get install chromium)")
    return None


def playwright_problem() -> str | None:
    """What keeps Playwright from driving the browser, in words; None if it is installed."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -r requirements.txt)"
    return None


if __name__ == "__main__":
    problem = browser_problem()
    print(problem or f"Chromium: {CHROMIUM}")
    sys.exit(1 if problem else 0)
