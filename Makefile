# Two commands set up everything on a fresh machine:
#   make lab    create .venv, install the course, open JupyterLab on the lessons
#   make test   create .venv, install the course with its test tools, run every test
# Both need only Python 3.10+ and make. Set PYTHON=python3.12 (say) to choose;
# LAB_ARGS="--no-browser --port 8890" and PYTEST_ARGS="-k losses" pass options on.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install lab test benchmark clean

$(STAMP): pyproject.toml setup.py course/_adam_loop.pyx course/_dense_relu.pyx
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# JupyterLab serves the whole course (lessons/, exercises/, the library's source)
# and opens on lessons/. It refuses to run as root unless told; containers
# often run as root.
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/lessons \
		$(ROOT_FLAG) $(LAB_ARGS)

# pytest exits 5 when it collected no test; make treats that, like any
# non-zero exit, as a failure. -n auto already keeps every core busy with a
# test process, so each numpy gets one BLAS thread: more only fight for the
# cores (the 512-wide network of unit 07 then runs several times slower).
test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/training.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info course/_adam_loop.c course/_dense_relu.c course/*.so
