# The two set-up commands of the README: `make serve` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: install serve web browser stores test lint format parse build bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

parse: install
	@for report in data/reports/*.txt; do $(BIN)/ifrc-kg parse "$$report" || exit $$?; done

# Parse, map, validate and publish data/reports/*.txt into dist/ (atomically).
build: install
	$(BIN)/ifrc-kg build --reports data/reports --out dist

# The browser assets of the site (YASGUI, Swagger UI) from the npm registry into
# node_modules/; without npm the site serves a plain query form and a link-only /docs.
web: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: serving without YASGUI (plain query form)"; \
	fi

# Debian's chromium for the browser test (tests/server/test_browser.py), when missing.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# Debian's Virtuoso for the external-store tests (tests/stores.py), when missing; the
# Oxigraph server comes from PyPI with the dev extras.
stores:
	@if [ ! -x /usr/bin/virtuoso-t ]; then \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			virtuoso-opensource >/dev/null; \
	fi

# Install, build data/reports/ and serve everything on http://127.0.0.1:8000
serve: build web
	$(BIN)/ifrc-kg serve --dist dist --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint web browser stores
	$(BIN)/pytest

# Query engines on report-shaped data, the endpoint under load with hostile queries, the
# corpus build (a report's CPU by stage: bench.report_cpu), `validate`'s memory streamed and
# whole (bench.validate_files), ifrc-kg beside Oxigraph server and Virtuoso (bench.peers), the
# planner step alone (bench.plans), and the front end
# over each external store (bench.stores) (see README, "Performance", "Security and limits"
# and "Deploying beyond one machine"); not part of the tests. BENCH_REPORTS sets the corpus
# size (the issue's target is 1000).
BENCH_REPORTS ?= 1000
bench: install stores
	$(BIN)/python -m bench.engines
	$(BIN)/python -m bench.server
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.peers
	$(BIN)/python -m bench.plans
	$(BIN)/python -m bench.parse_scale
	$(BIN)/python -m bench.validate_files
	$(BIN)/python -m bench.report_cpu --generated 5 data/reports/*.txt
	$(BIN)/python -m bench.build --count $(BENCH_REPORTS)
	$(BIN)/python -m bench.assemble --quads 20000000 --serve-with bench/.cache/corpus/dist
	$(BIN)/python -m bench.store_open --dist bench/.cache/corpus/dist --quads 1000000 --quads 20000000
	$(BIN)/python -m bench.stores

clean:
	rm -rf dist .cache .pytest_cache .hypothesis
