# Two commands: `make demo` runs the product, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# make demo PORT=8100 SIM_PORT=8766: the site's port and the POS simulator's (0: any free
# one); the demo location is pointed at the simulator whichever port it gets.
HOST ?= 127.0.0.1
PORT ?= 8000
SIM_PORT ?= 8765
DEMO_ARGS ?=

.PHONY: demo test install catalogues messages vendor browser lint format lock clean

demo: install vendor
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py run_embedded --host $(HOST) --port $(PORT) \
		--simulator --simulator-port $(SIM_PORT) $(DEMO_ARGS)

# Every test on the embedded default, then again on real PostgreSQL and Redis, then ruff.
# Two test processes, one a core (pytest-xdist); PYTEST_ARGS="-n 0" runs one, in order.
PYTEST_ARGS ?= -n 2
test: install vendor browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	bash scripts/test_production.sh $(PYTEST_ARGS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: $(VENV)/.installed catalogues

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	touch $@

# The diner's languages: locale/*/django.po compiled to .mo (build output, gitignored).
catalogues: $(VENV)/.installed
	$(BIN)/python scripts/translations.py compile

# After adding or changing diner-facing strings: pull them into locale/{fr,es,de}/django.po
# (needs GNU gettext: apt-get install gettext), then translate what is new or fuzzy.
messages: install
	$(BIN)/python scripts/translations.py extract

# htmx and its WebSocket extension, from the npm registry, checksums verified.
vendor: install
	$(BIN)/python scripts/fetch_vendor.py

# Debian's chromium for the Playwright browser tests (Playwright's own download is not used).
browser:
	@bash scripts/install_browser.sh

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-pin after changing pyproject.toml's dependencies.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q ".[test,bench]"
	(echo "# Exact versions the project is tested with. Regenerate: make lock"; \
	 .venv-lock/bin/python -m pip freeze --exclude openapp-table-ordering) > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) var staticfiles
