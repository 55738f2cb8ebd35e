# Two commands set up everything on a fresh machine:
#   make lab    create .venv, install the course, open JupyterLab on START.ipynb
#   make test   create .venv, install the course with its test tools, run every test
#   make pages  render the lessons and exercises into site/, for readers
# Both need only Python 3.10+ and make. Set PYTHON=python3.12 (say) to choose;
# LAB_ARGS="--no-browser --port 8890", PYTEST_ARGS="-k losses" and
# RENDER_ARGS="--execute" pass options on.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install lab test pages benchmark clean

$(STAMP): pyproject.toml setup.py course/_adam_loop.pyx course/_dense_relu.pyx
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[test]"
	touch $(STAMP)

# JupyterLab's settings that the course ships (jupyter/overrides.json): no news
# feed and no update check, so no pop-up asks about either, and a notebook
# starts its kernel without a dialog asking which one. JupyterLab reads
# them from the environment's own share/jupyter/lab/settings/; nothing is
# written into your home folder, and your own settings still win.
LAB_SETTINGS = $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_SETTINGS): jupyter/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp jupyter/overrides.json $@

install: $(STAMP) $(LAB_SETTINGS)

# JupyterLab serves the whole course (lessons/, exercises/, the library's source)
# and opens on START.ipynb, which says where to begin. The two LabApp options
# keep the server itself from fetching news or checking for updates. JupyterLab
# refuses to run as root unless told; containers often run as root.
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root)

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/START.ipynb \
		--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		$(ROOT_FLAG) $(LAB_ARGS)

# The reader's pages: site/index.html and a page per lesson and exercise, made
# from the outputs stored in the notebooks (RENDER_ARGS=--execute runs the
# lessons first). Open site/index.html, or serve site/ with any static server.
pages: install
	$(BIN)/course render --out site $(RENDER_ARGS)

# pytest exits 5 when it collected no test; make treats that, like any
# non-zero exit, as a failure. -n auto already keeps every core busy with a
# test process, so each numpy gets one BLAS thread: more only fight for the
# cores (the 512-wide network of unit 07 then runs several times slower).
test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/training.py

clean:
	rm -rf $(VENV) .pytest_cache build site site-screenshots *.egg-info course/_adam_loop.c course/_dense_relu.c course/*.so
