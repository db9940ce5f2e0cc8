# Two commands for a new user: `make run` builds the bundled example, `make test` runs the tests.
# Each creates its own virtual environment (.venv) and installs what it needs.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LANGS ?= en
STAMP := $(VENV)/.installed
# Every output language but the source, as languages.py lists them.
CATALOG_LANGS = $(shell $(PYTHON) -c 'from briefing.languages import TARGET_LANGUAGES; print(*TARGET_LANGUAGES)')

.PHONY: run test typecheck coverage benchmark lint catalogs reference clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Build the bundled example (English; add ja,ko once their models are installed).
run: $(STAMP)
	$(BIN)/briefing build --lang $(LANGS)

## Run the test suite.
test: $(STAMP)
	$(BIN)/python -m pytest -q

## Check the type hints of the package, the tests and the benchmarks (mypy; the files and
## settings are in pyproject.toml).
typecheck: $(STAMP)
	$(BIN)/mypy

## Run the test suite under coverage.py (child processes included) and print the line
## coverage of briefing/.
coverage: $(STAMP)
	rm -f .coverage .coverage.*
	$(BIN)/python -m coverage run -m pytest -q -p no:cacheprovider
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage report

## Measure translation speed with a realistic-size generated model (not part of `make test`).
benchmark: $(STAMP)
	$(BIN)/python benchmarks/translation.py

## Check the code's style: ruff's rules and its formatting (settings in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check briefing templates tests benchmarks
	$(BIN)/ruff format --check briefing templates tests benchmarks

## Refresh the template string catalog and merge it into the ja/ko catalogs (a language's
## catalog is created when it does not exist yet). New and changed strings come out empty:
## translate them, then `make test` checks that every string has a translation.
catalogs: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k NC_:1c,2 -c Translators: --no-location --omit-header \
		-o briefing/locales/briefing.pot .
	for lang in $(CATALOG_LANGS); do \
		$(BIN)/pybabel -q update -i briefing/locales/briefing.pot -d briefing/locales -D briefing \
			-l $$lang --init-missing --no-fuzzy-matching --ignore-obsolete \
			--ignore-pot-creation-date || exit 1; \
	done

## Rebuild the summit template's reference.docx from its script.
reference: $(STAMP)
	$(BIN)/python templates/summit/make_reference.py

clean:
	rm -rf $(VENV) out/*.docx out/*.pdf out/.briefing-manifest.json .coverage .coverage.*
