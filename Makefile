# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean venv chromium

venv: $(STAMP)

# Re-install when the project's metadata changes; `pip install -e` keeps code edits live.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/archiver demo

test: $(STAMP) chromium
	$(BIN)/python -m pytest -q

# The browser tests drive Debian's chromium (Playwright never downloads one); installs it
# with apt-get when missing, does nothing when present.
chromium:
	.ci/install-chromium

lint: $(STAMP)
	$(BIN)/ruff check archiver spiders pipelines tests bench
	$(BIN)/ruff format --check archiver spiders pipelines tests bench

bench: $(STAMP)
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
