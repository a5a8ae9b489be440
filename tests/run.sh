#!/usr/bin/env bash
# Runs every test: unit, integration (network namespaces, needs root), e2e (Chromium) and
# packaging. Prints node's test summary (tests/pass/fail) as the closing lines.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist # no stale compiled tests of deleted sources
npm run --silent build
mapfile -t files < <(find dist/tests -name '*.test.js' | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
