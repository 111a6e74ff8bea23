# Two commands for newcomers: `make demo` and `make test`. Everything installs into .venv from the
# pinned set in requirements.lock (unpinned Prefect + newest FastAPI crash; the pins are the product).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test serve bench system-deps clean

$(INSTALLED): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[test,bench]"
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/careloop demo --fresh

# Browser tests drive Debian's Chromium; install it when missing (root on these machines).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# lint-imports: the layers contract in pyproject.toml (roof -> stages in loop order -> floor). Then the tests on
# every core (pytest-xdist, a module per worker: tests/conftest.py), and last the tests marked `alone` (schedules
# firing under a real Prefect server and worker: under the other tests' load they took minutes longer).
test: $(INSTALLED) system-deps
	$(BIN)/lint-imports
	$(BIN)/pytest -n auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder -m "not alone"
	$(BIN)/pytest -m alone

serve: $(INSTALLED)
	$(BIN)/careloop serve --config examples/careloop.yaml

bench: $(INSTALLED)
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) var test-artifacts
