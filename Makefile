PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test samples browser ocr office bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) ocr
	$(BIN)/poa run samples --out out

test: $(STAMP) browser ocr office
	$(BIN)/python -m pytest

# The audit report's browser test needs Debian's chromium; install it where we can (root with apt-get).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 \
	      || echo "could not install chromium: the browser test will be skipped"; \
	  else echo "chromium not found: the browser test will be skipped (apt-get install chromium)"; fi; }

# Scans (PDFs with no text layer) are read with Debian's Tesseract and its Spanish data; install them the same way.
ocr:
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx spa; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-spa) >/dev/null 2>&1 \
	      || echo "could not install tesseract-ocr tesseract-ocr-spa: scans will fail and the OCR tests will be skipped"; \
	  else echo "Tesseract with Spanish not found: scans will fail and the OCR tests will be skipped" \
	    "(apt-get install tesseract-ocr tesseract-ocr-spa)"; fi; }

# The layout tests print the seed with LibreOffice Writer and Calc; install them the same way.
office:
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq libreoffice-writer-nogui libreoffice-calc-nogui) >/dev/null 2>&1 \
	      || echo "could not install LibreOffice: the Writer and Calc layout tests will be skipped"; \
	  else echo "LibreOffice not found: the Writer and Calc layout tests will be skipped" \
	    "(apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)"; fi; }

bench: $(STAMP)
	$(BIN)/python bench/bench.py

samples: $(STAMP)
	$(BIN)/python samples/generate.py

clean:
	rm -rf $(VENV) out
