# JoinedUp: `make run` and `make test` are the two commands; each installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
# The stamp is named after the lock's contents: a changed lock reinstalls, nothing else does.
STAMP := $(VENV)/.installed-$(shell sha256sum $(LOCK) | cut -c1-16)
APPS := audit agencies accountability cases plans sharing meetings portal workspace coordination
AXE := tests/e2e/node_modules/axe-core/axe.min.js
# The portal's translations: the committed .po files, compiled to .mo at install (docs/decisions/0067).
PO := $(wildcard locale/*/LC_MESSAGES/django.po)
MO := $(PO:.po=.mo)

.PHONY: help install lock run test lint bench e2e-deps

help:
	@echo "make run      serve http://127.0.0.1:8000 with a Celery worker and beat (demo data on first start)"
	@echo "make test     the whole test suite (set DATABASE_URL to test against PostgreSQL)"
	@echo "make lint     ruff check, ruff format --check, the import contract of the floors, mypy"
	@echo "make bench    the benchmark (bench/RESULTS.md)"
	@echo "make install  .venv with exactly the packages of requirements.lock"
	@echo "make lock     requirements.lock from pyproject.toml (LOCK_ARGS=\"--upgrade-package NAME\" moves a pin)"

install: $(STAMP) $(MO)

# Every package at the lock's version, checked against its hashes (no resolving: --no-deps), then
# pip-sync (pip-tools, itself in the lock) removes whatever the lock does not list.
$(STAMP):
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		python="$$(scripts/find-python)" || exit 1; \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV) && "$$python" -m venv $(VENV); \
	fi
	$(PY) -m pip install --disable-pip-version-check --quiet --require-hashes --no-deps -r $(LOCK)
	$(VENV)/bin/pip-sync --quiet $(LOCK)
	@rm -f $(VENV)/.installed-*
	@touch $@

# Pure Python (polib): no GNU gettext needed. One run compiles them all (a grouped target).
$(MO) &: $(PO) $(STAMP)
	$(PY) manage.py compiletranslations --verbosity 0

lock: install
	$(PY) scripts/lock.py $(LOCK_ARGS)

# The demo signs in with a password alone (REQUIRE_2FA off; the sign-in page says so). Set
# REQUIRE_2FA=1 to try two-factor sign-in locally.
run: export REQUIRE_2FA ?= 0
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho --procfile Procfile start

# axe-core for the browser tests' accessibility checks (tests/e2e/package-lock.json).
e2e-deps: $(AXE)

$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the browser tests' axe-core (install Node.js)"; exit 1; }
	npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
	@touch $@

test: install e2e-deps
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy $(APPS)

bench: install
	$(PY) bench/run.py
