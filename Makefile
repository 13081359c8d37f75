# Two commands do all the set-up from a fresh clone: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: build serve check test lint bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

build: $(STAMP)  ## build content/ into site/
	$(PY) build.py build $(ARGS)

serve: $(STAMP)  ## live preview on http://127.0.0.1:8000
	$(PY) build.py serve $(ARGS)

check: $(STAMP)  ## validate content, links and feed without writing site/
	$(PY) build.py check $(ARGS)

test: $(STAMP)  ## the full test suite (installs headless Chromium when missing, as root)
	sh scripts/ensure-browser.sh
	$(PY) -m pytest $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check sitegen tests build.py

bench: $(STAMP)  ## speed and memory at 1,000 and 10,000 pages, against the library floor (not CI)
	$(PY) bench/run.py $(ARGS)

clean:
	rm -rf site .cache .pytest_cache

.PHONY: screenshots lighthouse
screenshots: $(STAMP)  ## home and agenda at 390 and 1280 px into screenshots/ (Debian chromium)
	$(PY) scripts/screenshots.py $(ARGS)

lighthouse: $(STAMP)  ## Lighthouse 12.2.3 on home, agenda, one event (benchmark, not CI)
	$(PY) bench/lighthouse.py $(ARGS)
