"""The `poa` logger: what a run did, as JSON lines an archivist can grep or load overnight's 5,000 reports from.

    poa run archive/ --out out --log-file run.jsonl
    {"time": "2026-12-06T16:40:02.125Z", "level": "info", "event": "document", "doc_id": "…", "status": "failed",
     "error_code": "timeout", "seconds": 62.1, "stages": {"extract": 60.2, …}, …}

Events: `run_start`, `document` (one per input: its status, error_code, review_codes, pages, seconds, the stages'
durations, skipped or redone and why), `run_end`, and `warning`s for what a run works around (a review page that
could not be drawn, the folder's index that could not be written). The library logs through the standard
`logging` module under the name "poa" and adds no handler of its own: `configure` (the CLI's `--log-file`,
`--log-level`) does.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path

LOGGER = logging.getLogger("poa")
LEVELS = ("debug", "info", "warning", "error")


def event(name: str, level: int = logging.INFO, **fields) -> None:
    """One event with its fields (JSON-ready values), to whatever handlers the `poa` logger has."""
    LOGGER.log(level, name, extra={"poa": fields})


def warning(name: str, **fields) -> None:
    event(name, logging.WARNING, **fields)


class JsonLines(logging.Formatter):
    """A record as one line of JSON: time (UTC), level, event, and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds")
        line = {"time": when.replace("+00:00", "Z"), "level": record.levelname.lower(), "event": record.getMessage(),
                **getattr(record, "poa", {})}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class Plain(logging.Formatter):
    """A record on the terminal: `poa: event key=value …`."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in getattr(record, "poa", {}).items())
        return f"poa: {record.getMessage()} {fields}".rstrip()


def configure(log_file: str | Path | None = None, level: str = "warning") -> None:
    """The CLI's logging: events at `level` and above on stderr, in words; every event from info up (or from
    `level`, if lower) in `log_file` as JSON lines, appended. OSError where the file cannot be opened."""
    LOGGER.setLevel(logging.DEBUG)
    LOGGER.propagate = False
    for h in list(LOGGER.handlers):
        LOGGER.removeHandler(h)
        h.close()
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(getattr(logging, level.upper()))
    terminal.setFormatter(Plain())
    LOGGER.addHandler(terminal)
    if log_file is not None:
        to_file = logging.FileHandler(log_file, mode="a", encoding="utf-8")
        to_file.setLevel(min(logging.INFO, getattr(logging, level.upper())))
        to_file.setFormatter(JsonLines())
        LOGGER.addHandler(to_file)
