# The two commands of the README: `make demo` (the main job on the offline sample)
# and `make test` (the whole suite through tox). Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT ?= var
DATE ?= $(shell date +%F)
WORKERS ?= 1
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test system-deps clean

$(STAMP): pyproject.toml constraints.txt CMakeLists.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]' tox
	touch $@

system-deps:
	bash scripts/system-deps.sh

demo: $(STAMP)
	$(BIN)/luigi --module tasks DailyPipeline --local-scheduler --workers $(WORKERS) \
		--data-source sample --paths-root $(ROOT) --date $(DATE)
	$(BIN)/python -m tasks.commands.where --paths-root $(ROOT) --date $(DATE)

test: $(STAMP) system-deps
	$(BIN)/tox run

clean:
	rm -rf $(VENV) .tox build var
