"""The run record: each batch's id, its record in DIR/.poa/run-<id>.json while it runs, the one-writer lock on
the folder, and the clean-up of the temporary files dead runs left."""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import socket
import tempfile
from contextlib import suppress
from pathlib import Path

from ..pipeline import UsageError


def _proc_start(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot), to tell it from a later process with its pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(record: dict) -> bool:
    """Whether the run a record describes may still be writing (when in doubt: yes)."""
    if record.get("host") != socket.gethostname():
        return True  # another machine's run on a shared folder: its processes cannot be checked from here
    pid = record.get("pid")
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    started = _proc_start(pid)
    return started is None or started == record.get("started")


class Run:
    """One batch's identity in DIR: its record, its temporary files, its workers' private temp folders."""

    _lock: int | None  # the one-writer lock's descriptor, once start() takes it (`_take`)

    def __init__(self, out: Path):
        from poa.outputs.store import set_run_id

        self.out = out
        self.id = secrets.token_hex(6)
        self.record = out / ".poa" / f"run-{self.id}.json"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"poa-{self.id}-"))  # workers' TMPDIR: camelot's files etc.
        set_run_id(self.id)

    def start(self) -> None:
        """Take DIR for this run (UsageError while another run writes in it), record the run, then clean what
        dead runs left."""
        self.record.parent.mkdir(exist_ok=True)
        self._lock = _take(self.out / ".poa" / LOCK)
        self.record.write_text(json.dumps({"run_id": self.id, "pid": os.getpid(), "host": socket.gethostname(),
                                           "started": _proc_start(os.getpid()), "tmp": str(self.tmp)}),
                               encoding="utf-8")
        clean_dead_runs(self.out, keep=self.id)

    def end(self) -> None:
        """Remove this run's temporary files, temp folder and record (what cannot be removed now, the next
        run will: the record says the run is over once its process is gone)."""
        from poa.outputs.store import remove_temporaries

        remove_temporaries(self.out, self.id)
        shutil.rmtree(self.tmp, ignore_errors=True)
        lock = getattr(self, "_lock", None)
        if lock is not None:  # the file first, then the lock: see `_take`
            with suppress(OSError):
                (self.out / ".poa" / LOCK).unlink()
            os.close(lock)  # the lock goes with its last descriptor (a worker still ending holds a copy)
            self._lock = None
        try:
            self.record.unlink(missing_ok=True)
            self.record.parent.rmdir()  # only if no other run's record is there
        except OSError:
            pass


_RECORD = re.compile(r"^run-([0-9a-f]{12})\.json$")
LOCK = "lock"  # DIR/.poa/lock: held (flock) by the one run writing in DIR; the kernel lets it go with its process


def _take(path: Path) -> int:
    """The lock on DIR, as an open descriptor to keep: one run writes in a folder at a time, so that no
    interleaving of two leaves a document `ok` without its tables. UsageError naming the run that holds it."""

    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                owner = json.loads(os.pread(fd, 4096, 0) or b"{}")
            except ValueError:
                owner = {}
            os.close(fd)
            who = f"pid {owner.get('pid', '?')} on {owner.get('host', '?')}" if owner else "another process"
            raise UsageError(f"--out {path.parent.parent}: another poa run ({who}) is writing in this folder: wait "
                             "for it to end, or give another --out") from None
        except BaseException:
            os.close(fd)
            raise
        try:  # the run that held it removes the file as it ends: a lock on a file no longer there is none
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode(), 0)
    return fd


def clean_dead_runs(out: Path, keep: str = "") -> None:
    """The temporary files (and temp folders) of runs recorded in DIR/.poa/ whose process is gone. A file
    is removed only if its name carries a dead run's id in poa's pattern, in one of poa's folders: never a
    user's `notes/.draft.tmp`, never a live run's file."""
    from poa.outputs.store import remove_temporaries

    try:
        entries = list(os.scandir(out / ".poa"))
    except OSError:
        return
    for e in entries:
        m = _RECORD.match(e.name)
        if not m or m[1] == keep:
            continue
        try:
            record = json.loads(Path(e.path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(record, dict) or record.get("run_id") != m[1] or _alive(record):
            continue
        remove_temporaries(out, m[1])
        tmp = Path(str(record.get("tmp", "")))
        if tmp.name.startswith(f"poa-{m[1]}-") and tmp.parent == Path(tempfile.gettempdir()):
            shutil.rmtree(tmp, ignore_errors=True)
        Path(e.path).unlink(missing_ok=True)


def _start_run(out: Path) -> Run:
    """This batch's record in DIR, or UsageError if DIR (or the temp folder) cannot take even that."""
    run = None
    try:
        run = Run(out)
        run.start()
    except OSError as e:
        if run is not None:
            run.end()
        raise UsageError(f"--out {out}: cannot write in the folder: {e.strerror or e}") from None
    except UsageError:  # another run holds the lock (start)
        if run is not None:
            run.end()
        raise
    return run
