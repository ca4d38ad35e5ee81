# Every target sets up .venv first (python3 -m venv, then pip install with constraints.txt).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS ?= constraints.txt

.PHONY: setup demo test lint check-all clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Grade the bundled example class into grading-report/ (open grading-report/index.html).
demo: $(STAMP)
	$(BIN)/grader grade examples/submissions --out grading-report

# Lint, type-check and run the test suite (what CI runs).
test: lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) grading-report build dist
