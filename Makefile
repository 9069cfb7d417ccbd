# The two commands: `make demo` and `make test`. Both start from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# constraints.txt: every package at the version CI, the demo and the bundles use (`make lock`).
PIP := $(PY) -m pip install -q --disable-pip-version-check -c constraints.txt

.PHONY: demo test lint system-deps screenshots clean lock

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -U pip
	$(PIP) -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

# Resolve pyproject.toml afresh in a throwaway venv and write what it installed to constraints.txt.
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install -q --disable-pip-version-check -e '.[dev]' \
		pyinstaller==$(PYINSTALLER_VERSION)
	{ sed -n '1,2p' constraints.txt; build/lock-venv/bin/pip freeze --exclude-editable; } \
		> constraints.new && mv constraints.new constraints.txt
	rm -rf build/lock-venv

system-deps:
	@bash installer/system-deps.sh

demo: $(STAMP) system-deps
	$(PY) -m admin_console.demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: $(STAMP) system-deps lint
	QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 $(VENV)/bin/pytest -q

# One tier of tests (CONTRIBUTING.md): `make unit` needs no broker, no server and no display.
TIERS := unit qt integration e2e desktop
.PHONY: $(TIERS)
unit: $(STAMP)
	$(VENV)/bin/pytest -q tests/unit
qt integration e2e desktop: $(STAMP) system-deps
	QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 $(VENV)/bin/pytest -q tests/$@

screenshots: $(STAMP) system-deps
	QTWEBENGINE_DISABLE_SANDBOX=1 xvfb-run -a -s "-screen 0 1366x768x24" $(PY) docs/take_screenshots.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

# --- installer/: bundles and the Debian package (installer/README.md) -----------------------------
PYINSTALLER_VERSION := 6.22.3

.PHONY: dist dist-test deb deb-test

dist: $(STAMP) system-deps
	@$(PY) -c 'import sys, PyInstaller; sys.exit(PyInstaller.__version__ != "$(PYINSTALLER_VERSION)")' \
		2>/dev/null || $(PIP) pyinstaller==$(PYINSTALLER_VERSION)
	bash installer/build-dist.sh

dist-test: dist
	bash installer/dist-test.sh

deb: dist
	bash installer/build-deb.sh

deb-test: deb
	bash installer/deb-test.sh

# --- benchmarks/: every figure next to its floor, same run (BENCHMARKS.md); not in `make test` --
.PHONY: bench translations

bench: $(STAMP) system-deps
	$(PY) benchmarks/run_all.py $(if $(QUICK),--quick)

# --- the admin console's and buddy desk's languages (admin_console/ui/i18n, Qt Linguist) ---------
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -no-obsolete -locations none admin_console/ui/*.py \
		-ts admin_console/ui/i18n/admin_nl.ts admin_console/ui/i18n/admin_fr.ts
	$(VENV)/bin/pyside6-lrelease admin_console/ui/i18n/admin_nl.ts admin_console/ui/i18n/admin_fr.ts
