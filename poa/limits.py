"""Resource limits for one document: time (a deadline on a timer signal) and memory (an address-space
rlimit), and a worker's tie to its parent. Used by the batch's workers (`poa.batch`): a worker hands the reader
a `WorkerWatch` for each document, whose `reading_page` holds each page to its limit, so that a page that makes
no progress fails with a plain reason.

Nothing here does anything until a worker sets it up: `process()` in a notebook runs unlimited. The one state
kept by the module is the stack of nested deadlines: the timer signal it rides on is the process's, not an
object's.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import resource
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

GiB = 1 << 30
MiB = 1 << 20

DEFAULT_TIMEOUT = 30.0  # seconds a document may take, before its pages are counted
DEFAULT_PAGE_TIMEOUT = 5.0  # seconds added to a document's time limit for each of its pages
PAGE_STALL_FACTOR = 6  # one page may take this many times the per-page allowance before it counts as stuck
OCR_PAGE_FACTOR = 6  # a page recognised by OCR (Tesseract: seconds a page) is allowed this many pages' time
DEFAULT_MAX_MEMORY = 2 * GiB  # address space one worker may add to what it shares with its parent
MIN_MAX_MEMORY = 512 * MiB  # less, and normal documents fail (a report takes ~0.2 GiB, camelot ~0.7 GiB)


class LimitExceeded(BaseException):
    """A document went past one of its limits; the message says which, in plain words.

    A BaseException, like KeyboardInterrupt, so that the `except Exception` of the PDF libraries and of the
    stages does not turn it into "damaged PDF" or a bug's traceback text: it reaches the worker as it is."""


# ------------------------------------------------------------------ sizes and durations


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)


def parse_size(text: str | int) -> int:
    """Bytes from "2G", "2GiB", "1536M", "1.5g" or a plain number of bytes (powers of 1024, as `ulimit`).
    Raises ValueError with a message fit for a usage error."""
    if isinstance(text, int) and not isinstance(text, bool):
        if not 0 < text <= MAX_SIZE:
            raise ValueError(f"must be a positive size up to {format_size(MAX_SIZE)}, not {text}")
        return text
    m = _SIZE.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a size (write e.g. 2G, 1536M or 2GiB)")
    number, unit = float(m.group(1)), m.group(2).lower()
    size = int(number * {"": 1, "k": 1 << 10, "m": MiB, "g": GiB, "t": 1 << 40}[unit])
    if size <= 0:
        raise ValueError(f"must be a positive size, not {text!r}")
    if size > MAX_SIZE:
        raise ValueError(f"{text!r} is more than any machine's address space ({format_size(MAX_SIZE)})")
    return size


MAX_SIZE = 1 << 47  # 128 TiB: a 64-bit process's whole address space
MAX_SECONDS = 7 * 24 * 3600.0  # a week: a limit beyond it is no limit, and the timer cannot take much more


def format_size(n: int) -> str:
    """2147483648 -> "2 GiB", 1610612736 -> "1.5 GiB", 805306368 -> "768 MiB"."""
    if n >= 1 << 40:
        return f"{n / (1 << 40):.3g} TiB"
    if n >= GiB:
        return f"{n / GiB:.3g} GiB"
    return f"{n / MiB:.4g} MiB"


def check_seconds(value: float, what: str = "--timeout") -> float:
    """A positive, finite number of seconds, or ValueError (0, negative, NaN and infinity are refused)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a positive number of seconds, not {value:g}")
    if value > MAX_SECONDS:
        raise ValueError(f"{what} must be at most {MAX_SECONDS:g} seconds (a week), not {value:g}")
    return value


@dataclass(frozen=True)
class Limits:
    """What one document may use: `timeout` seconds plus `page_timeout` for each page it has, and
    `max_memory` bytes of address space on top of what its worker shares with the batch's parent."""

    timeout: float = DEFAULT_TIMEOUT
    page_timeout: float = DEFAULT_PAGE_TIMEOUT
    max_memory: int = DEFAULT_MAX_MEMORY

    def seconds(self, pages: int | None, ocr_pages: int = 0) -> float:
        """The time limit of a document with `pages` pages (None: not counted yet), `ocr_pages` of them
        recognised by OCR (each allowed OCR_PAGE_FACTOR pages' time)."""
        return self.timeout + self.page_timeout * ((pages or 0) + (OCR_PAGE_FACTOR - 1) * ocr_pages)

    def page_stall(self) -> float:
        """Seconds a single page may take before the document counts as making no progress."""
        return max(self.page_timeout * PAGE_STALL_FACTOR, 1.0)

    def timeout_reason(self, pages: int | None, ocr_pages: int = 0) -> str:
        """Why a document that went past its time limit failed, the same words whoever noticed it."""
        limit = self.seconds(pages, ocr_pages)
        if not pages:
            return f"timed out after {limit:g} s (--timeout)"
        ocr = f", × {OCR_PAGE_FACTOR} for each of the {ocr_pages} OCR'd" if ocr_pages else ""
        return (f"timed out after {limit:g} s (--timeout {self.timeout:g} s + {self.page_timeout:g} s × {pages} "
                f"page{'s' if pages != 1 else ''}{ocr})")

    def memory_reason(self, detail: str | None = None) -> str:
        return (f"ran out of the memory limit ({format_size(self.max_memory)}, --max-memory) while reading it"
                + (f": {detail}" if detail else ""))


# ------------------------------------------------------------------ time: nested deadlines on SIGALRM


@dataclass(eq=False)  # compared by identity: two nested deadlines may hold the same numbers
class Deadline:
    started: float  # time.monotonic() when the block began
    seconds: float
    what: str  # the LimitExceeded message

    @property
    def at(self) -> float:
        return self.started + self.seconds

    def move(self, seconds: float, what: str | None = None) -> None:
        """Give the block `seconds` from its start instead (e.g. once the page count is known)."""
        self.seconds = seconds
        if what is not None:
            self.what = what
        if any(d is self for d in _deadlines):
            _arm()


_deadlines: list[Deadline] = []


def _on_alarm(signum, frame) -> None:
    now = time.monotonic()
    expired = [d for d in _deadlines if d.at <= now + 0.001]
    if expired:
        signal.setitimer(signal.ITIMER_REAL, 1.0)  # again in a second if some code swallows the exception
        raise LimitExceeded(min(expired, key=lambda d: d.at).what)
    _arm()  # woke early (a deadline moved later): sleep again until the nearest one


def _arm() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    if not _deadlines:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(min(d.at for d in _deadlines) - time.monotonic(), 0.001))


@contextmanager
def deadline(seconds: float, what: str) -> Iterator[Deadline]:
    """Raise LimitExceeded(what) in the block if it runs longer than `seconds`. Deadlines nest (the nearest
    one fires first) and interrupt Python code and blocking system calls alike; C code that never returns to
    the interpreter is out of their reach (the batch's parent kills such a worker). Main thread only:
    elsewhere the block runs unlimited."""
    d = Deadline(time.monotonic(), seconds, what)
    if threading.current_thread() is not threading.main_thread():
        yield d
        return
    previous = signal.getsignal(signal.SIGALRM) if not _deadlines else None
    _deadlines.append(d)
    try:
        _arm()
        yield d
    finally:
        _deadlines.remove(d)
        _arm()
        if not _deadlines and previous is not None:
            signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------ per page: what a page source calls


class WorkerWatch:
    """What a batch's worker hands the reader for one document (`poa.core.watch.PageWatch`): each page held to its
    limit, the batch told of the page count (and of the pages to OCR) whenever it changes, and of each page read.
    `on_pages(pages)` is told the page count, and `on_pages(pages, ocr_pages)` again each time a page is found to
    need OCR; `on_read(page)` each page read (the batch's progress in pages)."""

    def __init__(self, stall: float, on_pages: Callable[..., None], on_read: Callable[[int], None] | None = None):
        self.stall = stall  # seconds one page may take
        self.on_pages = on_pages
        self.on_read = on_read
        self.pages: int | None = None  # the page count last told
        self.ocr_pages: set[int] = set()

    def pages_known(self, pages: int) -> None:
        """Tell the batch how many pages the document has, as soon as it is known (its time limit grows with
        it). Once per count: later calls with the same count do nothing."""
        if pages != self.pages:
            self.pages = pages
            self._tell()

    def ocr_page(self, number: int) -> None:
        """Tell the batch that page `number` is to be recognised by OCR, before the work starts: the document's
        time limit grows by the OCR allowance. Once per page."""
        if number not in self.ocr_pages:
            self.ocr_pages.add(number)
            self._tell()

    def page_read(self, number: int) -> None:
        """Tell the batch that page `number` is read (a page source calls it as it hands each page over)."""
        if self.on_read is not None:
            self.on_read(number)

    @contextmanager
    def reading_page(self, number: int, pages: int, ocr: bool = False) -> Iterator[None]:
        """Around the reading of page `number` (1-based) of `pages`: the first call tells the batch the page
        count, and the page must be read within the per-page limit (OCR_PAGE_FACTOR times it for a page
        recognised by OCR), else LimitExceeded("page 3 of 12 made no progress in 30 s"). Not an Exception: let
        it through."""
        self.pages_known(pages)
        if ocr:
            self.ocr_page(number)
        stall = self.stall * (OCR_PAGE_FACTOR if ocr else 1)
        with deadline(stall, f"page {number} of {pages} made no progress in {stall:g} s"):
            yield

    def _tell(self) -> None:
        if self.ocr_pages:
            self.on_pages(self.pages or 0, len(self.ocr_pages))
        else:
            self.on_pages(self.pages)


# ------------------------------------------------------------------ memory and the parent


def _status_bytes(field: str) -> int:
    """A field of /proc/self/status, in bytes (0 where /proc does not say)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def address_space() -> int:
    """This process's address space now, in bytes (VmSize; 0 if unknown): what a worker forked now starts with."""
    return _status_bytes("VmSize")


def resident_memory() -> int:
    """This process's resident memory now, in bytes (VmRSS; 0 if unknown)."""
    return _status_bytes("VmRSS")


def limit_memory(max_bytes: int) -> int:
    """Let this process's address space grow by at most `max_bytes` over what it has now (RLIMIT_AS); return
    the cap. Past it, allocations fail (MemoryError in Python; a C library may abort) instead of the machine
    swapping. Over what it has: a forked worker is born with its parent's address space (~0.65 GiB of
    libraries in `poa run`, more in a notebook holding data), shared, not its own to pay for.

    RLIMIT_AS rather than RLIMIT_DATA: both count the 1 GiB arena mimalloc (pyarrow's allocator) reserves
    and mimalloc does without it when refused; AS also bounds what DATA misses (file mappings, stacks)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = (_status_bytes("VmSize") or 0) + max_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return cap


def reset_peak_memory() -> bool:
    """Count this process's peak resident memory from now: a forked worker otherwise inherits its parent's
    peak (VmHWM, and the ru_maxrss its parent reads when it ends). False where the kernel would not reset it
    (the peak then runs on from the process's start)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        return False
    return True


def peak_memory() -> int:
    """This process's peak resident memory since `reset_peak_memory`, in bytes (VmHWM; 0 if unknown)."""
    return _status_bytes("VmHWM")


def memory_growth(since: int) -> int:
    """How far resident memory peaked above `since` (the resident memory when the peak was reset), in bytes."""
    return max(0, _status_bytes("VmHWM") - since)


_MEMORY_WORDS = ("memoryerror", "unable to allocate", "cannot allocate memory", "out of memory", "bad_alloc",
                 "insufficient memory", "failed to allocate", "memory allocation failed", "malloc of size")


def looks_out_of_memory(max_bytes: int, message: str | None, since: int) -> bool:
    """Whether a failure under `limit_memory(max_bytes)` was the limit: the error says an allocation failed
    (libraries wrap MemoryError in their own words), or resident memory grew by 60 % of the limit above `since`
    (where it stood when the document began; address space, which the limit counts, runs ahead of it)."""
    low = (message or "").lower()
    return any(w in low for w in _MEMORY_WORDS) or memory_growth(since) >= max_bytes * 0.6


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux prctl PR_SET_PDEATHSIG), so that a
    worker stuck on a bad PDF never outlives a killed batch. If the parent is already gone, exit now."""
    try:

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: the parent's own cleanup still kills its workers
        pass
    if os.getppid() != parent_pid:
        os._exit(1)
