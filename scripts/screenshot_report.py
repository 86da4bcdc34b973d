"""Take the README's picture of the report: ``python scripts/screenshot_report.py``.

Renders an HTML report (``salespipeline report`` writes output/report.html) in headless Chromium,
offline, and saves a PNG of the top of the page. Take it from a default-scale build (`make run`,
then `make report`) so the README shows what people will see.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The offline Chromium helpers live with the tests, which use them to check the rendered pages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import BrowserNotFoundError, file_url, render_screenshot


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not WIDTHxHEIGHT: {text!r}") from None
    return width, height


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=Path("output/report.html"))
    parser.add_argument("--out", type=Path, default=Path("docs/images/report.png"))
    parser.add_argument(
        "--size", type=_size, default=(1400, 2250), help="window WIDTHxHEIGHT (default 1400x2250)"
    )
    args = parser.parse_args(argv)
    if not args.report.is_file():
        print(f"screenshot_report: no report at {args.report}: run `make report`", file=sys.stderr)
        return 1
    try:
        render_screenshot(file_url(args.report), args.out, size=args.size, budget_ms=20000)
    except BrowserNotFoundError as error:
        print(f"screenshot_report: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
