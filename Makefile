# Two commands set up everything on a fresh machine:
#   make lab    create .venv, install the course, open JupyterLab on the lessons
#   make test   create .venv, install the course with its test tools, run every test
# Both need only Python 3.10+ and make. Set PYTHON=python3.12 (say) to choose.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install lab test benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. lessons/

# pytest exits 5 when it collected no test; make treats that, like any
# non-zero exit, as a failure.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/training.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
