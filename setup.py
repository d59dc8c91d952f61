"""The one thing pyproject.toml cannot declare without a warning: the PDFium reader's per-glyph loop in C. Built
where a C compiler and Python's headers are at hand, skipped (not failed) where they are not; the reader makes
the same calls through cffi then, a few ms a page slower."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("poa.extract.readers._glyphloop", ["extract/readers/_glyphloop.c"], optional=True)])
