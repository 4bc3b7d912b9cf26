#!/usr/bin/env bash
# `make fuzz`: hostile input, 10,000 cases a target (JOBBOARD_FUZZ_CASES): every public form and parser
# through the whole router on SQLite (server/tests/integration/fuzz.rs), then the domain's property tests
# at 10,000 cases each (PROPTEST_CASES; the suites that set their own count, 2,000 or 3,000, keep it).
# The test command runs the first with 64 cases a target.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cases="${JOBBOARD_FUZZ_CASES:-10000}"
.ci/setup.sh
printf '\n==> %s hostile cases per form and parser, through the router (SQLite)\n' "$cases"
JOBBOARD_FUZZ_CASES="$cases" JOBBOARD_TEST_POSTGRES="" cargo test -p server --test integration \
  fuzz::hostile_queries_and_forms_get_no_server_error_and_refused_forms_store_nothing -- --exact --nocapture
printf '\n==> the domain property tests at %s cases each\n' "$cases"
PROPTEST_CASES="$cases" cargo test -p app --features ssr --lib domain::
