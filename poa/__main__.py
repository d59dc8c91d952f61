"""`python -m poa`: the command line (the review app reads documents again through it)."""

from poa.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
