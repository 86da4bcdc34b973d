"""Headless Chromium for the tests that look at pages the way a person would (docs site, report).

The rendering itself is salespipeline.browser (offline flags, throwaway profile). Here, a missing
Chromium skips the browser tests with a message, unless SALESPIPELINE_REQUIRE_BROWSER=1 (set by
CI) turns the skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from salespipeline import browser
from salespipeline.browser import file_url

__all__ = ["chromium", "dump_dom", "file_url", "screenshot"]


def chromium() -> str:
    """The Chromium executable, or skip (fail in CI) when there is none."""
    try:
        return browser.find_chromium()
    except browser.BrowserNotFoundError as error:
        if os.environ.get("SALESPIPELINE_REQUIRE_BROWSER") == "1":
            pytest.fail(str(error))
        pytest.skip(str(error))


def dump_dom(url: str, *, budget_ms: int = 15000, timeout: float = 120) -> str:
    """The page's DOM after its scripts have run for `budget_ms` of virtual time."""
    chromium()
    return browser.dump_dom(url, budget_ms=budget_ms, timeout=timeout)


def screenshot(
    url: str,
    out: Path,
    *,
    size: tuple[int, int] = (1400, 1000),
    budget_ms: int = 15000,
    timeout: float = 120,
) -> Path:
    """A PNG of the rendered page, written to `out`."""
    chromium()
    return browser.screenshot(url, out, size=size, budget_ms=budget_ms, timeout=timeout)
