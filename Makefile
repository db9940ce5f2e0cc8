# Two commands for a new user: `make run` builds the bundled example, `make test` runs the tests.
# Each creates its own virtual environment (.venv) and installs what it needs.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LANGS ?= en
STAMP := $(VENV)/.installed

.PHONY: run test benchmark lint catalogs reference clean

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

## Measure translation speed with a realistic-size generated model (not part of `make test`).
benchmark: $(STAMP)
	$(BIN)/python benchmarks/translation.py

lint: $(STAMP)
	$(BIN)/ruff check briefing tests templates benchmarks
	$(BIN)/ruff format --check briefing tests templates benchmarks

## Refresh the template string catalog and merge it into the ja/ko catalogs.
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o briefing/locales/briefing.pot --no-location --omit-header templates briefing
	$(BIN)/pybabel update -i briefing/locales/briefing.pot -d briefing/locales -D briefing --no-fuzzy-matching

## Rebuild the summit template's reference.docx from its script.
reference: $(STAMP)
	$(BIN)/python templates/summit/make_reference.py

clean:
	rm -rf $(VENV) out/*.docx out/*.pdf out/.manifest.json
