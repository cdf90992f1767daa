# Two commands for a fresh machine (Python 3.10-3.12 with venv):
#   make book   set up .venv, then build the book with every notebook executed -> _build/html
#   make test   set up .venv, then run the unit tests and every notebook (nbval)
# Point DENOISE_DATA_DIR at a folder with set12/, train400/, ... to use local data.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup book test clean

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

clean:
	rm -rf _build
