# forestry_plugin — every target sets itself up on a fresh Debian 12 machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PLUGIN := forestry_plugin
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
ZIP := dist/$(PLUGIN)-$(VERSION).zip
RUNTIME_DIR := $(CURDIR)/build/xdg-runtime
export QT_QPA_PLATFORM ?= offscreen
export XDG_RUNTIME_DIR := $(RUNTIME_DIR)
export PYTHONPATH := $(CURDIR)
export PYTHONDONTWRITEBYTECODE := 1
QGIS_PROFILE_DIR ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default

.PHONY: setup test demo package deploy translations platform bench lint clean help

help:
	@echo "make demo      sample county + local platform: check, workflow, sync, reports (output in demo-output/)"
	@echo "make test      run the test suite in a real (headless) QGIS"
	@echo "make package   build $(ZIP) for QGIS 'Install from ZIP'"
	@echo "make deploy    install the zip into the QGIS profile $(QGIS_PROFILE_DIR)"
	@echo "make platform  run the reference provincial platform server on 127.0.0.1:8765"
	@echo "make bench     run the benchmarks in bench/"

setup: $(VENV)/.setup-done

$(VENV)/.setup-done: scripts/setup.sh requirements-dev.txt
	@bash scripts/setup.sh
	@mkdir -p $(RUNTIME_DIR) && chmod 700 $(RUNTIME_DIR)
	@touch $@

translations: setup
	@$(PY) scripts/i18n.py compile

test: setup translations
	@mkdir -p $(RUNTIME_DIR) && chmod 700 $(RUNTIME_DIR)
	$(PY) -m pytest $(PYTEST_ARGS)

demo: setup translations
	@mkdir -p $(RUNTIME_DIR) && chmod 700 $(RUNTIME_DIR)
	$(PY) scripts/demo.py --out demo-output

package: setup translations
	$(PY) scripts/package.py --out $(ZIP)

deploy: package
	$(PY) scripts/package.py --deploy $(ZIP) --profile-dir "$(QGIS_PROFILE_DIR)"

platform: setup
	$(PY) -m reference_platform --host 127.0.0.1 --port 8765 --db build/platform.sqlite

bench: setup
	$(PY) bench/run_all.py

lint: setup
	$(VENV)/bin/ruff check forestry_plugin tests scripts bench reference_platform

clean:
	rm -rf build dist demo-output test-artifacts .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
	rm -f i18n/*.qm
