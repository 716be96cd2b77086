# The two commands of the README: `make demo` (the main job on the offline sample)
# and `make test` (the whole suite through tox). Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT ?= var/sample
DATE ?= $(shell date +%F)
WORKERS ?= 1
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test system-deps system-deps-demo clean docker-clean

$(STAMP): pyproject.toml constraints.txt CMakeLists.txt
	@echo "make: installing momentum-pipeline into $(VENV): its pinned dependencies" \
		"(pandas, zipline-reloaded, pandas-ta with TA-Lib, scikit-learn, weasyprint, luigi," \
		"...) and the C++ order engine, compiled on the way. The first time takes about" \
		"4 minutes; later runs skip this step."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]' tox
	touch $@
	@echo "make: installed."

system-deps-demo:
	bash scripts/system-deps.sh demo

system-deps:
	bash scripts/system-deps.sh test

demo: system-deps-demo $(STAMP)
	$(BIN)/luigi --module tasks DailyPipeline --local-scheduler --workers $(WORKERS) \
		--data-source sample --paths-root $(ROOT) --date $(DATE)
	$(BIN)/python -m tasks.commands.where --paths-root $(ROOT) --date $(DATE)

test: $(STAMP) system-deps
	$(BIN)/tox run

clean:
	rm -rf $(VENV) .tox build var

# The Docker images the project built and kept as a cache (make test removes its own
# test image), and the engine's build cache. Leaves every other image alone.
docker-clean:
	-docker image prune --force --filter label=io.momentum-pipeline.project
	-docker image rm $$(docker image ls -q --filter reference='momentum-pipeline' \
		--filter reference='local/python') 2>/dev/null
	-docker builder prune --force
