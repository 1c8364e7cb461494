# The two quick-start commands are `make demo` and `make test`; everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench clean

$(BIN)/coinref: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/coinref

install: $(BIN)/coinref

demo: install
	bash scripts/demo.sh

test: install
	$(BIN)/pytest -n 2 -q

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) coinref.db coinref.db-wal coinref.db-shm logs
