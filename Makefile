# The two commands of the README. Both install what they need first (see .ci/setup.sh).
.PHONY: run test bench crash-test fuzz load-test

## Build in release mode and serve the site, with seed data, on http://127.0.0.1:3000.
run:
	@bash .ci/serve.sh

## Run the whole test suite (formatting, clippy, unit, database, HTTP and browser tests).
test:
	@bash .ci/test.sh

## The benchmark at 100,000 postings (queries, HTTP load against references, page weight); see bench/run.sh.
bench:
	@bash bench/run.sh

## The release server killed with SIGKILL 50 times while people write, on SQLite and PostgreSQL (.ci/crash-test.sh).
crash-test:
	@bash .ci/crash-test.sh

## 10,000 hostile cases for every public form and parser (.ci/fuzz.sh).
fuzz:
	@bash .ci/fuzz.sh

## 60 s of mixed traffic at 100,000 postings while people write (.ci/load-test.sh).
load-test:
	@bash .ci/load-test.sh
