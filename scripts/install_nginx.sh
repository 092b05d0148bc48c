#!/usr/bin/env bash
# Debian's nginx, for the test that runs the README's reverse-proxy example (tests/test_serving.py).
# Idempotent; needs root, as CI and our machines have. Installing does not start a server here.
set -euo pipefail
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "nginx is not installed and installing it needs root: sudo bash scripts/install_nginx.sh" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq nginx-light >/dev/null
