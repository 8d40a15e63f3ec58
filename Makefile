# The two commands of the README are `make run` and `make test`; the rest serves them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run run-once test lint venv kafka-up kafka-down schemas clean

run: venv ## local broker + worker + replay of seeds/, alerts printed; Ctrl-C stops all
	$(BIN)/newswatch run

run-once: venv ## the same, stopping once every seed article is processed
	$(BIN)/newswatch run --once

test: venv ## all tests; starts (and then stops) the local broker when none answers
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check services tests bench
	$(BIN)/ruff format --check services tests bench
	$(BIN)/mypy

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

kafka-up: venv
	$(BIN)/newswatch kafka up

kafka-down: venv
	$(BIN)/newswatch kafka down

schemas: venv
	$(BIN)/newswatch schemas

clean:
	-$(BIN)/newswatch kafka down
	rm -rf $(VENV) .newswatch
