# Cadence: `make run` serves API + PWA; `make test` runs every test. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-dates bench lint lock chromium lighthouse clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip>=24'
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# One foreground process owns gunicorn and the scheduler (reminders, flag evaluation, nightly
# work): SIGTERM to it stops both gracefully; if either dies it stops the other and fails
# (docs/operations.md).
run: $(BIN)/.installed
	$(BIN)/flask --app wsgi db upgrade
	exec $(BIN)/flask --app wsgi serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# Debian's Chromium: Playwright cannot download its own browser here.
chromium:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-liberation)

lint: $(BIN)/.installed
	$(BIN)/ruff check api tests wsgi.py migrations

# Every API and unit test again on SQLite with the clock at dates that once broke date logic:
# a Monday, a late Sunday, the EU spring-forward hour (2027, after every fixed date the tests write) and 29 February.
CLOCKS := 2026-11-30T09:00 2026-11-29T23:30 2027-03-28T01:30 2028-02-29T12:00

test: $(BIN)/.installed chromium lint
	$(BIN)/pytest
	$(MAKE) test-dates

test-dates: $(BIN)/.installed
	@for clock in $(CLOCKS); do \
		echo "== clock at $$clock"; \
		TEST_DATABASE_URL= $(BIN)/pytest -q tests/api tests/unit --clock=$$clock \
			|| exit 1; \
	done

# Lighthouse for `make bench` only (tests/bench/bench_lighthouse.py), pinned by its
# package-lock.json; 12.8.x is the last line that runs on Debian's Node 20.
LIGHTHOUSE := tools/lighthouse
lighthouse: $(LIGHTHOUSE)/node_modules/.installed

$(LIGHTHOUSE)/node_modules/.installed: $(LIGHTHOUSE)/package.json $(LIGHTHOUSE)/package-lock.json
	cd $(LIGHTHOUSE) && npm ci --no-audit --no-fund
	touch $@

bench: $(BIN)/.installed chromium lighthouse
	$(BIN)/python -m tests.bench

# Refresh the pinned versions after changing pyproject.toml ranges.
lock:
	rm -rf /tmp/cadence-lock && $(PYTHON) -m venv /tmp/cadence-lock
	/tmp/cadence-lock/bin/pip install --quiet '.[test]'
	/tmp/cadence-lock/bin/pip freeze --exclude-editable | grep -v '^cadence' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(LIGHTHOUSE)/node_modules
