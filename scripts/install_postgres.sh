#!/usr/bin/env bash
# Debian's PostgreSQL server for the second test run (the tests start a throwaway cluster of their own with
# initdb/pg_ctl; nothing here starts or configures a server). Idempotent; needs root, as CI and our machines have.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null \
    && id postgres >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed and installing it needs root: sudo bash scripts/install_postgres.sh" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The package's post-install creates a default cluster it may start; our tests never use it.
apt-get install -y -qq postgresql >/dev/null
