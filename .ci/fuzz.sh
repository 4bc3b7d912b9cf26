#!/usr/bin/env bash
# `make fuzz`: hostile input, 10,000 cases a target (JOBBOARD_FUZZ_CASES): every public form and parser
# through the whole router on SQLite (server/tests/integration/fuzz.rs), then the domain's property tests
# of the parsers (query string, cursors, posting form, e-mail addresses, alert forms) at 10,000 cases each
# (PROPTEST_CASES). The test command runs the first with 64 cases and the second at proptest's 256.
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
