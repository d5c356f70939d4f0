#!/usr/bin/env bash
# The suite again on the production shape: real PostgreSQL and Redis (channels-redis).
# On a laptop without them this pass is skipped, saying so; in CI (CI set) it fails.
# The browser tests run the embedded product whatever the database, so they run once, in
# the first pass.
set -euo pipefail
cd "$(dirname "$0")/.."
database_url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/openapp}
redis_url=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
if ! why=$(.venv/bin/python scripts/services_up.py "$database_url" "$redis_url"); then
  if [ -n "${CI:-}" ]; then
    echo "Production pass cannot run: $why" >&2
    exit 1
  fi
  echo "Skipping the production pass (PostgreSQL + Redis): $why"
  exit 0
fi
echo "Production pass: PostgreSQL ($database_url) and Redis ($redis_url)"
DATABASE_URL=$database_url REDIS_URL=$redis_url SECRET_KEY=production-pass-test-key \
  .venv/bin/python -m pytest -m "not browser" "$@"
