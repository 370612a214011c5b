"""The memory a request needs, measured two ways at once: this process's resident memory
(RSS) sampled in a thread, and the Python allocations traced by tracemalloc. RSS alone
misses memory the heap reuses (a second bomb fits in the pages the first one freed) and
tracemalloc alone misses what C libraries allocate for themselves, so the peak above
idle reported is the larger of the two."""

from __future__ import annotations

import os
import resource
import threading
import tracemalloc
from types import TracebackType

MB = 2**20
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    """Resident bytes now (Linux); elsewhere the peak so far, the best the OS tells."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakMemory:
    """`with PeakMemory() as m: ...` then `m.above_idle` (bytes): the highest RSS sampled
    inside the block less the RSS on entering it, or the traced peak if that is higher."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.idle = self.peak = self.traced = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._tracing = False

    def __enter__(self) -> PeakMemory:
        self._tracing = tracemalloc.is_tracing()  # someone else's trace is left running
        if not self._tracing:
            tracemalloc.start()
        tracemalloc.reset_peak()
        self._base = tracemalloc.get_traced_memory()[0]
        self.idle = self.peak = rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, rss())
        self.traced = max(tracemalloc.get_traced_memory()[1] - self._base, 0)
        if not self._tracing:
            tracemalloc.stop()

    def _sample(self) -> None:
        while not self._done.wait(self.interval):
            self.peak = max(self.peak, rss())

    @property
    def above_idle(self) -> int:
        return max(self.peak - self.idle, self.traced, 0)
