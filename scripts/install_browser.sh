#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing and we may install it.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
elif [ -n "${CI:-}" ]; then
  echo "chromium is missing and this CI run cannot install it" >&2
  exit 1
else
  echo "Note: /usr/bin/chromium is missing; browser tests will be skipped." \
       "Install it with: sudo apt-get install chromium" >&2
fi
