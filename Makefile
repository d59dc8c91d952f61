PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test samples browser bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/poa run samples --out out

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The audit report's browser test needs Debian's chromium; install it where we can (root with apt-get).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 \
	      || echo "could not install chromium: the browser test will be skipped"; \
	  else echo "chromium not found: the browser test will be skipped (apt-get install chromium)"; fi; }

bench: $(STAMP)
	$(BIN)/python bench/bench.py

samples: $(STAMP)
	$(BIN)/python samples/generate.py

clean:
	rm -rf $(VENV) out
