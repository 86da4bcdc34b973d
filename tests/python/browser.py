"""Headless Chromium for the tests that look at pages the way a person would (docs site, report).

Debian's `chromium` renders local files with every network lookup refused, so nothing leaves the
machine. When it is missing the browser tests skip with a message, unless
SALESPIPELINE_REQUIRE_BROWSER=1 (set by CI) turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# Flags for a quiet, offline, throwaway browser: no background services phoning home, no GPU,
# and every host name resolving to nothing.
_FLAGS = (
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
)


def chromium() -> str:
    """The Chromium executable, or skip (fail in CI) when there is none."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    message = "chromium is not installed (make test installs it where it can: root or sudo)"
    if os.environ.get("SALESPIPELINE_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _run(url: str, *args: str, budget_ms: int, timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [
            chromium(),
            *_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            *args,
            url,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)


def file_url(path: Path, fragment: str = "") -> str:
    return path.resolve().as_uri() + fragment


def dump_dom(url: str, *, budget_ms: int = 15000, timeout: float = 120) -> str:
    """The page's DOM after its scripts have run for `budget_ms` of virtual time."""
    return _run(url, "--dump-dom", budget_ms=budget_ms, timeout=timeout).stdout


def screenshot(
    url: str,
    out: Path,
    *,
    size: tuple[int, int] = (1400, 1000),
    budget_ms: int = 15000,
    timeout: float = 120,
) -> Path:
    """A PNG of the rendered page, written to `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(
        url,
        f"--screenshot={out.resolve()}",
        f"--window-size={size[0]},{size[1]}",
        "--hide-scrollbars",
        budget_ms=budget_ms,
        timeout=timeout,
    )
    return out
