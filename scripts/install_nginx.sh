#!/usr/bin/env bash
# Debian's nginx, for the test that runs the README's reverse-proxy example (tests/test_serving.py).
# Idempotent; needs root, as CI and our machines have. Installing does not start a server here.
set -euo pipefail
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq nginx-light >/dev/null
