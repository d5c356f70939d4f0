#!/usr/bin/env bash
# Debian packages the tests drive: chromium (Playwright's browser tests), poppler-utils
# (reading the printed QR sheet back) and gettext (the catalogues' staleness check runs
# makemessages). Installed when missing and we may (as root).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v xgettext >/dev/null && command -v msgmerge >/dev/null || missing+=(gettext)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for the tests: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif [ -n "${CI:-}" ]; then
  echo "Missing Debian packages and this CI run cannot install them: ${missing[*]}" >&2
  exit 1
else
  echo "Note: missing ${missing[*]}; the tests that need them will be skipped." \
       "Install with: sudo apt-get install ${missing[*]}" >&2
fi
