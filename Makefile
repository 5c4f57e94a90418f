# Two entry points for a fresh machine with Python 3.11+: `make run` and `make test`.
# Both create .venv, install what they need and, when run as root on Debian, the system
# libraries the PDFs and the browser tests rely on.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app relief
HOST ?= 127.0.0.1
PORT ?= 5000

RUN_PACKAGES := libharfbuzz-subset0
TEST_PACKAGES := libharfbuzz-subset0 chromium

.PHONY: run test lint format bench translations system-run system-test clean-db audit

run: $(STAMP) system-run translations
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(STAMP) system-test translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q
	@scripts/audit-dependencies

# Known vulnerabilities in the installed dependencies (pip-audit; needs pypi.org).
audit: $(STAMP)
	@scripts/audit-dependencies

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) system-run translations
	$(BIN)/python -m bench

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations: $(STAMP)
	@[ ! -d relief/translations ] || $(BIN)/pybabel compile --use-fuzzy -d relief/translations > /dev/null

# Re-read the UI text into messages.pot and merge it into each catalogue. New strings arrive
# with an empty msgstr (no fuzzy guesses: short Chinese labels match each other too readily)
# and tests/test_i18n.py names them until they are translated. -k lazy_gettext repeats
# babel.cfg for Babel releases older than 2.19, which may ignore keywords there.
.PHONY: messages
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -c TRANSLATORS: --no-wrap \
		--project "Panjin Relief" -o relief/translations/messages.pot .
	$(BIN)/pybabel -q update --no-wrap --no-fuzzy-matching --ignore-obsolete \
		-i relief/translations/messages.pot -d relief/translations

system-run:
	@scripts/system-packages $(RUN_PACKAGES)

system-test:
	@scripts/system-packages $(TEST_PACKAGES)

clean-db:
	rm -f instance/relief.sqlite3
