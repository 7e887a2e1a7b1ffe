# Schakelpunt: `make demo` and `make test` on a machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
export PYTHONDONTWRITEBYTECODE := 1

# Test processes: one per CPU by default (pytest-xdist); PYTEST_WORKERS=0 runs them in one.
PYTEST_WORKERS ?= auto

.PHONY: demo test lint types pytest install install-dev node-tools messages lock clean bench prodlike

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Schakelpunt heeft Python 3.11 of nieuwer nodig.")'
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Kon geen virtuele omgeving maken. Op Debian/Ubuntu: sudo apt install python3-venv"; exit 1; }

$(VENV)/.installed-base: requirements/base.lock pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/base.lock
	$(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/dev.lock
	$(PIP) install --no-deps -e .
	@touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

# Test tools from npm (a real OpenID Connect provider, Spectral); not part of the application.
# Without npm those tests are skipped on a laptop; with CI=true they must run.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm ontbreekt: de tests met de OpenID Connect-provider en Spectral worden overgeslagen."; fi
node-tools: node_modules/.installed

## demo: install, create the SQLite database, build the demo region, serve at http://127.0.0.1:8000
demo: install
	DJANGO_SETTINGS_MODULE=schakelpunt.conf.demo $(BIN)/schakelpunt rundemo

## test: lint, types, migrations check and the whole test suite (DATABASE_URL picks the database)
test: install-dev node-tools lint types
	DJANGO_SETTINGS_MODULE=schakelpunt.conf.test $(BIN)/schakelpunt makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS)

## prodlike: the production processes (gunicorn, huey workers, one scheduler) on this machine,
## against PostgreSQL and Redis on 127.0.0.1 (DATABASE_URL, REDIS_URL); not for real use
prodlike: install
	VENV=$(VENV) scripts/prodlike

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: install-dev
	$(BIN)/mypy

## messages: merge new Dutch texts into the English catalogue and compile it (needs GNU gettext);
## translate in src/schakelpunt/locale/en/LC_MESSAGES/django.po (Poedit, Weblate or by hand)
messages: install-dev
	cd src/schakelpunt && ../../$(BIN)/schakelpunt makemessages -l en --no-obsolete --no-location \
		--ignore 'tests/*' --ignore 'migrations/*'
	cd src/schakelpunt && ../../$(BIN)/schakelpunt compilemessages -l en

## lock: re-pin the dependencies after changing pyproject.toml (needs uv)
lock:
	uv pip compile pyproject.toml -o requirements/base.lock --generate-hashes --python-version 3.11
	uv pip compile pyproject.toml --extra dev -o requirements/dev.lock --generate-hashes --python-version 3.11

bench: install
	$(BIN)/python bench/demo_build.py

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
