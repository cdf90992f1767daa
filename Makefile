# Two commands for a fresh machine (Python 3.10-3.13 with venv):
#   make book   set up .venv, then build the book with every notebook executed -> _build/html
#   make test   set up .venv, then run the unit tests and every notebook (nbval)
#   make labs   write the student copies of the chapters (no solutions) to labs/
#   make links  point every Colab badge and install cell at _config.yml's repository and branch
#   make test-nodata  run every notebook with no data folder, no data cache, no network and no bm3d
# Point DENOISE_DATA_DIR at a folder with set12/, train400/, ... to use local data.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup book test test-nodata labs links clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

book: setup
	$(BIN)/jupyter-book build . -W
	$(BIN)/python scripts/zh_book.py _build/jupyter_execute

# -n auto: pytest-xdist runs as many test files and notebooks at once as there are cores
# (a notebook's cells stay in one kernel: --dist loadfile); conftest.py starts the slowest first,
# an order xdist keeps only with --no-loadscope-reorder (by default it sorts files by test count)
XDIST := -n auto --dist loadfile --no-loadscope-reorder

test: setup
	$(BIN)/python -m pytest $(XDIST)

# every chapter must run to the end without the data sets (a reader on Colab without them):
# no DENOISE_DATA_DIR, an empty cache, no network (conftest.py), claims it cannot check
# reported as NOT CHECKED instead of failing; and without the optional bm3d (tests/without_bm3d:
# the reader who installed the package alone; BM3D itself runs in make test, with the data).
# Chapters that never load data run the same either way, and `make test` has run them already:
# scripts/data_chapters.py lists the others
test-nodata: setup
	env -u DENOISE_DATA_DIR -u DENOISE_STRICT -u DENOISE_TIMINGS -u DENOISE_EXECUTED XDG_CACHE_HOME="$$(mktemp -d)" PYTHONPATH="$(CURDIR)/tests/without_bm3d" $(BIN)/python -m pytest $(XDIST) $$($(BIN)/python scripts/data_chapters.py)

labs: setup
	$(BIN)/python -m denoise_utils.labs build

links: setup
	$(BIN)/python -m denoise_utils.labs links

clean:
	rm -rf _build
