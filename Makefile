PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: run test check typecheck typecheck-tree samples tools bench clean

# The exact versions of constraints.txt (the set the tests pass with) within pyproject.toml's ranges.
$(STAMP): pyproject.toml setup.py constraints.txt extract/readers/_glyphloop.c
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	@echo "installing poa and the versions of constraints.txt into $(VENV) (log: $(VENV)/install.log)"
	@# --no-compile: Python compiles the modules it imports on first use; compiling every installed file up
	@# front (great-expectations, dask, matplotlib…) took half of the install's minute.
	@{ $(BIN)/pip install -q --upgrade pip && $(BIN)/pip install -q --no-compile -c constraints.txt -e '.[dev]'; } \
	  >$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; echo "install failed (log: $(VENV)/install.log)"; exit 1; }
	touch $(STAMP)

run: $(STAMP) tools
	$(BIN)/poa run samples --out out

# The whole suite, as CI runs it (under ten minutes on 2 cores).
test: $(STAMP) tools
	$(BIN)/python -m pytest -n $(JOBS) --durations=40

# The fast tier, for the inner loop (under a minute): everything but the tests marked slow, and mypy over the
# package alongside them (niced: it takes the CPU the tests leave; its report follows theirs). Either failing
# fails the check.
check: $(STAMP) typecheck-tree
	@echo '$(BIN)/mypy > $(TYPECHECK)/mypy.log (alongside the tests)'; \
	nice $(BIN)/mypy > $(TYPECHECK)/mypy.log 2>&1 & typecheck=$$!; \
	echo '$(BIN)/python -m pytest -n $(JOBS) -m "not slow"'; \
	$(BIN)/python -m pytest -n $(JOBS) -m "not slow"; tests=$$?; \
	wait $$typecheck; types=$$?; echo "mypy:"; cat $(TYPECHECK)/mypy.log; \
	[ $$tests -eq 0 ] && [ $$types -eq 0 ]

# mypy over the package (its settings: [tool.mypy] in pyproject.toml). setup.py maps the stages'
# top-level folders into poa (extract/ is poa.extract), which mypy cannot follow from the file tree: it reads
# the package from a tree of links in $(TYPECHECK) laid out as it is imported (its reports name those paths).
TYPECHECK := build/typecheck

typecheck: $(STAMP) typecheck-tree
	$(BIN)/mypy

typecheck-tree:
	@rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/poa && ln -s $(CURDIR)/poa/* $(TYPECHECK)/poa/ \
	  && for stage in extract normalize validate outputs; do ln -s $(CURDIR)/$$stage $(TYPECHECK)/poa/$$stage; done

# Programs from Debian's packages: Tesseract with Spanish (scans), Chromium (the audit and review pages in a
# browser, one producer of the layout tests), LibreOffice Writer and Calc (two more producers, and the xlsx
# recomputed). Installed in one go where we can (root with apt-get); where we cannot, the tests that need them
# skip and say why, and scans fail with a message naming the packages.
tools:
	@missing=""; \
	{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx spa; } \
	  || missing="$$missing tesseract-ocr tesseract-ocr-spa"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui libreoffice-calc-nogui"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null 2>&1 \
	      || echo "could not install$$missing: the tests that need them will be skipped"; \
	  else echo "not installed:$$missing (apt-get install$$missing): the tests that need them will be skipped"; fi; \
	fi

bench: $(STAMP) tools
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python bench/bench.py --curves

# The samples (reportlab, fpdf2), the page-break sweep, the slow producers' layouts (LibreOffice, Chromium,
# fpdf2: skipped where absent) and the other forms of the family (samples/forms/).
samples: $(STAMP)
	$(BIN)/python samples/generate.py
	$(BIN)/python -m samples.layouts.sweep samples/sweep
	$(BIN)/python -m samples.layouts.prints
	$(BIN)/python -m samples.weighted
	$(BIN)/python -m samples.efficacy

clean:
	rm -rf $(VENV) out $(TYPECHECK) .mypy_cache
