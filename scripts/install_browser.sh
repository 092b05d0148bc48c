#!/usr/bin/env bash
# Debian's Chromium, its driver and CJK fonts for the browser tests (no browser download from a test tool
# works on our machines). Idempotent; needs root, as CI and our machines have.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "Chromium is not installed and installing it needs root: sudo bash scripts/install_browser.sh" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
