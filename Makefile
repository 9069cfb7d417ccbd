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

test: $(STAMP) system-deps phone-desk-check lint
	QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 $(VENV)/bin/pytest -q

# One tier of tests (CONTRIBUTING.md): `make unit` needs no broker, no server and no display.
TIERS := unit qt integration e2e desktop browser
.PHONY: $(TIERS)
unit: $(STAMP)
	$(VENV)/bin/pytest -q tests/unit
qt integration e2e desktop browser: $(STAMP) system-deps phone-desk-deps
	QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 $(VENV)/bin/pytest -q tests/$@

# --- the phone desk (docs/phone-desk.md) ----------------------------------------------------------
# The built page is checked in (admin_console/phone/static/): running it needs no Node.js.
# `make phone-desk` rebuilds it from web/phone-desk/src and the lock file; `make phone-desk-check`
# fails when the checked-in files are not what the sources build. The npm packages (axe-core for
# tests/browser too) come from the lock file, install scripts off.
PHONE := web/phone-desk
.PHONY: phone-desk phone-desk-deps phone-desk-check phone-desk-screenshots
$(PHONE)/node_modules/.package-lock.json: $(PHONE)/package-lock.json
	cd $(PHONE) && npm ci --no-audit --no-fund --ignore-scripts
phone-desk-deps: $(PHONE)/node_modules/.package-lock.json
phone-desk: phone-desk-deps
	cd $(PHONE) && node build.mjs
phone-desk-check: phone-desk-deps
	rm -rf build/phone-desk && cd $(PHONE) && node build.mjs ../../build/phone-desk
	diff -r build/phone-desk admin_console/phone/static
phone-desk-screenshots: $(STAMP) system-deps phone-desk-deps
	PHONE_DESK_SCREENSHOTS=1 $(VENV)/bin/pytest -q tests/browser

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

# --- the admin console's and buddy desk's languages (gettext domain "console", source text) ------
# Widgets mark texts with tr(context, text), trn(context, singular, plural, n) and N_(context,
# text) (admin_console/ui/language.py); translators edit ui/locale/<lang>/LC_MESSAGES/console.po.
CONSOLE_LOCALE := admin_console/ui/locale
CONSOLE_KEYWORDS := -k tr:1c,2 -k trn:1c,2,3 -k N_:1c,2
translations: $(STAMP) translations-gettext
	@mkdir -p build
	$(VENV)/bin/pybabel -q extract --no-default-keywords $(CONSOLE_KEYWORDS) --no-location \
		--add-comments=TRANSLATORS: --no-wrap --project=kiosk-suite --version=1 \
		-o build/console.pot admin_console/ui
	$(VENV)/bin/pybabel -q update --no-wrap --ignore-obsolete -D console -d $(CONSOLE_LOCALE) \
		-i build/console.pot
	$(VENV)/bin/pybabel compile --statistics -D console -d $(CONSOLE_LOCALE)

# --- the kiosk's texts and the funder reports' words (keyed gettext domains "kiosk", "reports") --
# A message id is a stable key; the English catalog holds the English words and is the template
# of the others: no extraction from the sources (kiosk/i18n.py, admin_console/read/report_texts.py).
# A new or changed key: edit the English .po first, then bring the other languages in line:
#   .venv/bin/pybabel update -w 100 --no-fuzzy-matching -D kiosk -d kiosk/locale \
#       -i kiosk/locale/en/LC_MESSAGES/kiosk.po -l nl        (then -l fr; the same for reports)
# A new language (a folder): .venv/bin/pybabel init -w 100 -D kiosk -d kiosk/locale \
#       -i kiosk/locale/en/LC_MESSAGES/kiosk.po -l de
#   then translate every msgstr (it starts as the English words) and check its Plural-Forms.
# Then compile: `make translations` (every domain) or `make translations-gettext` (these two);
# the .mo files are committed, and tests/unit/test_translations.py checks each is its .po compiled.
.PHONY: translations-gettext
GETTEXT_DOMAINS := kiosk:kiosk/locale reports:admin_console/read/locale
translations-gettext: $(STAMP)
	@set -e; for pair in $(GETTEXT_DOMAINS); do \
		$(VENV)/bin/pybabel compile --statistics -D $${pair%%:*} -d $${pair#*:}; \
	done
