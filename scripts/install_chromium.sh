#!/usr/bin/env sh
# Install Debian's Chromium for the browser tests (docs site and report). Needs root or sudo;
# when neither is available, say so and leave it: those tests then skip, unless
# SALESPIPELINE_REQUIRE_BROWSER=1 makes them fail (CI sets it).
set -eu
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "chromium is not installed and this user cannot install it: the browser tests will skip." >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is not installed and apt-get is not available: the browser tests will skip." >&2
    exit 0
fi
echo "Installing Debian's chromium for the browser tests..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
