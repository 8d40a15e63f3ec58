# The two commands of the README are `make run` and `make test`; the rest serves them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Installs the missing Debian packages (as root) or names the command that does (see the script).
SYSTEM_PACKAGES = PYTHON=$(PYTHON) bash deploy/system-packages.sh

.PHONY: run run-once test lint bench venv kafka-up kafka-down schemas compose clean system-packages-run system-packages-test

run: system-packages-run venv ## local broker + worker + replay of seeds/, alerts printed; Ctrl-C stops all
	$(BIN)/newswatch run

run-once: system-packages-run venv ## the same, stopping once every seed article is processed
	$(BIN)/newswatch run --once

test: system-packages-test venv ## all tests; starts (and then stops) the local broker when none answers
	$(BIN)/pytest

# Java and Maven for the local broker (it fetches its jars with Maven on first start);
# the tests also need kcat and Prometheus.
system-packages-run:
	@$(SYSTEM_PACKAGES) run

system-packages-test:
	@$(SYSTEM_PACKAGES) test

bench: venv ## engine and pipeline benchmarks (the pipeline one starts the local broker if needed)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/real_news.py
	$(BIN)/python bench/desk_scale.py
	$(BIN)/python bench/hostile.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/relevant_worker.py

lint: venv
	$(BIN)/ruff check services tests bench
	$(BIN)/ruff format --check services tests bench
	$(BIN)/mypy

venv: $(VENV)/.installed

# The modules setup.py compiles with mypyc: an edit to one rebuilds them, or the tests
# would run the compiled copy of the old source (tests/test_compiled.py says so too).
COMPILED := $(shell sed -n 's|^ *"\(services/.*\.py\)",$$|\1|p' setup.py)

$(VENV)/.installed: pyproject.toml constraints.txt setup.py $(COMPILED)
	@$(SYSTEM_PACKAGES) python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

kafka-up: system-packages-run venv
	$(BIN)/newswatch kafka up

kafka-down: venv
	$(BIN)/newswatch kafka down

compose: ## the full stack on Docker (needs GRAFANA_ADMIN_PASSWORD); prints where to look
	docker compose up -d --build
	@echo "dashboard:  http://localhost:3000 (Grafana, home dashboard 'newswatch')"
	@echo "prometheus: http://localhost:9090 (alerts under Alerts)"
	@echo "kafka:      localhost:9094 (NEWSWATCH_KAFKA_BOOTSTRAP=localhost:9094 newswatch replay FILE)"

schemas: venv
	$(BIN)/newswatch schemas

clean:
	-$(BIN)/newswatch kafka down
	rm -rf $(VENV) .newswatch build
	find services -name '*.so' -delete
