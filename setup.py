"""What pyproject.toml cannot say by itself:

- the packages: every folder with an __init__.py under the stages' folders, found here rather than listed by hand
  (a sub-package added and forgotten would be missing from a wheel while an editable install still found it);
- the PDFium reader's per-glyph loop in C (pyproject's ext-modules table is experimental in setuptools and says so
  on every install). Built where a C compiler and Python's headers are at hand, skipped (not failed) where they
  are not; the reader makes the same calls through cffi then, a few ms a page slower.
"""

from pathlib import Path

from setuptools import Extension, find_packages, setup

# One import namespace, poa; the stages' folders stay at the repository's top level (the design card's layout).
FOLDERS = {"poa": "poa", "poa.extract": "extract", "poa.normalize": "normalize", "poa.validate": "validate",
           "poa.outputs": "outputs"}


ROOT = Path(__file__).resolve().parent


def packages(root: Path = ROOT) -> list[str]:
    """Every package of the distribution: each folder of FOLDERS and the packages found under it."""
    return sorted(name for package, folder in FOLDERS.items()
                  for name in (package, *(f"{package}.{p}" for p in find_packages(str(root / folder)))))


if __name__ == "__main__":
    setup(packages=packages(), package_dir=FOLDERS,
          ext_modules=[Extension("poa.extract.readers._glyphloop", ["extract/readers/_glyphloop.c"], optional=True)])
