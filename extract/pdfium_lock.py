"""PDFium is not thread-safe, even across documents: a reader loading pages and OCR rendering others in a thread
of its own both hold this lock around every call into it."""

import threading

PDFIUM_LOCK = threading.Lock()
