"""Headless Chromium, offline: how the tests look at pages the way a person would (docs site,
report), and how scripts/screenshot_report.py takes the README's picture.

Debian's `chromium` renders local files with every host name resolving to nothing and its
background services switched off, so nothing leaves the machine and the result proves the page
needs no network.

In the tests, a missing Chromium skips the browser tests with a message (`chromium`, and through
it `dump_dom` and `screenshot`), unless SALESPIPELINE_REQUIRE_BROWSER=1 (set by CI) turns the skip
into a failure. Outside pytest, `render_screenshot` raises BrowserNotFoundError instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = [
    "BrowserNotFoundError",
    "chromium",
    "dump_dom",
    "file_url",
    "find_chromium",
    "render_screenshot",
    "screenshot",
]

# A quiet, offline, throwaway browser: no background services phoning home, no GPU, and every
# host name resolving to nothing.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--allow-file-access-from-files",
    "--hide-scrollbars",
)


class BrowserNotFoundError(RuntimeError):
    """No Chromium on this machine (`make browser` installs Debian's where it can)."""


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise BrowserNotFoundError(
        "chromium is not installed (make test installs it where it can: root or sudo)"
    )


def chromium() -> str:
    """The Chromium executable, or skip (fail in CI) when there is none."""
    import pytest  # only the tests skip; the screenshot script runs without pytest

    try:
        return find_chromium()
    except BrowserNotFoundError as error:
        if os.environ.get("SALESPIPELINE_REQUIRE_BROWSER") == "1":
            pytest.fail(str(error))
        pytest.skip(str(error))


def file_url(path: Path, fragment: str = "") -> str:
    return path.resolve().as_uri() + fragment


def _run(url: str, *args: str, budget_ms: int, timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [
            find_chromium(),
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            *args,
            url,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)


def dump_dom(url: str, *, budget_ms: int = 15000, timeout: float = 120) -> str:
    """The page's DOM after its scripts have run for `budget_ms` of virtual time."""
    chromium()
    return _run(url, "--dump-dom", budget_ms=budget_ms, timeout=timeout).stdout


def render_screenshot(
    url: str,
    out: Path,
    *,
    size: tuple[int, int] = (1400, 1000),
    budget_ms: int = 15000,
    timeout: float = 180,
) -> Path:
    """A PNG of the rendered page as a `size` window shows it, written to `out`; raises
    BrowserNotFoundError without Chromium."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(
        url,
        f"--screenshot={out.resolve()}",
        f"--window-size={size[0]},{size[1]}",
        budget_ms=budget_ms,
        timeout=timeout,
    )
    return out


def screenshot(
    url: str,
    out: Path,
    *,
    size: tuple[int, int] = (1400, 1000),
    budget_ms: int = 15000,
    timeout: float = 120,
) -> Path:
    """A PNG of the rendered page, written to `out`; skips the test without Chromium."""
    chromium()
    return render_screenshot(url, out, size=size, budget_ms=budget_ms, timeout=timeout)
