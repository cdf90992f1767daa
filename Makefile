# Two commands for a fresh machine (Python 3.10-3.13 with venv):
#   make book   set up .venv, then build the book with every notebook executed -> _build/html
#   make test   set up .venv, then run the unit tests and every notebook (nbval)
#   make labs   write the student copies of the chapters (no solutions) to labs/
#   make links  point every Colab badge and install cell at _config.yml's repository and branch
# Point DENOISE_DATA_DIR at a folder with set12/, train400/, ... to use local data.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup book test labs links clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

book: setup
	$(BIN)/jupyter-book build . -W

test: setup
	$(BIN)/python -m pytest

labs: setup
	$(BIN)/python -m denoise_utils.labs build

links: setup
	$(BIN)/python -m denoise_utils.labs links

clean:
	rm -rf _build
