"""The projector: one thread that keeps the in-process read models current, so a read
never has to write.

It runs the projection runner when there is something to project: at once when a reader
is waiting for a position it has not reached; within `linger` seconds of a commit (the
engine tells it after each one), so a burst of commands is projected in one catch-up
instead of one per command, which would take the write lock and the CPU from the
commands themselves; and at each poll, for events written by other processes (SQLite
cannot subscribe).
It remembers the head of the log it last caught up to, as a notification id: ids may
skip numbers, so the position is read from the log, never counted.

A reader waits for a position on a condition the projector notifies. With no thread
running (a CLI command, an app whose lifespan never ran) the waiting reader catches
the projections up itself, so every process answers current reads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from engine.errors import EngineError
from engine.projection_runner import ProjectionRunner

log = logging.getLogger(__name__)


class ReadModelsBehind(EngineError):
    """The read models did not reach a read's position in time (503, Retry-After): they are
    catching up, and the read would have missed what was written before it."""

    def __init__(self, position: int, reached: int, waited: float) -> None:
        super().__init__(
            f"the read models are catching up (at event {reached} of {position}, after {waited:g} s); "
            "send the request again shortly"
        )
        self.position = position
        self.reached = reached


class Projector:
    def __init__(
        self,
        runner: ProjectionRunner,
        poll: float = 0.5,
        linger: float = 0.05,
        on_reached: Callable[[int], None] | None = None,
    ) -> None:
        self.runner = runner
        self.on_reached = on_reached  # told each position reached (a projector process tells its parent)
        self.poll = poll
        self.linger = linger
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # the projector waits here to be woken
        self._progress = threading.Condition(self._lock)  # readers wait here for a position
        self._reached = 0  # every serving projection has processed the log up to here
        self._woken = False  # a reader is waiting: project now
        self._due: float | None = None  # a commit is waiting: project by then
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] = lambda: None

    @property
    def reached(self) -> int:
        return self._reached

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Start the projector thread (once); `stop` ends it."""
        with self._lock:
            if self._thread is not None:
                return
            self._stopping = False
            self._woken = True  # catch up on whatever was written before it started
            self._thread = threading.Thread(target=self._follow, name="qi-projector", daemon=True)
            self._thread.start()
        self._unsubscribe = self.runner.engine.after_commit(self.wake)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the thread after the batch in hand; waiting readers then catch up themselves."""
        self._unsubscribe()
        with self._lock:
            thread, self._stopping = self._thread, True
            self._work.notify_all()
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            self._thread = None
            self._progress.notify_all()

    def wake(self) -> None:
        """New events were written: project them within `linger`, rather than at the next poll
        (a reader waiting for them brings that forward)."""
        with self._lock:
            if self._due is None:
                self._due = time.monotonic() + self.linger
                self._work.notify_all()

    def hurry(self) -> None:
        """A reader is waiting: project now, without lingering."""
        with self._lock:
            self._woken = True
            self._work.notify_all()

    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until the projections reached `position`; False when `timeout` passed first.
        Without a projector thread, catch up here instead (always True, or an error)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._reached < position and self._thread is not None:
                self._woken = True  # the log is ahead: perhaps another process wrote it
                self._work.notify_all()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._progress.wait(remaining)
            if self._reached >= position:
                return True
        self.catch_up()
        return True

    def lower_to(self, position: int) -> None:
        """A projection went back to `position` (resumed after a failure): reads wait for it again."""
        with self._lock:
            self._reached = min(self._reached, position)
            self._woken = True
            self._work.notify_all()

    def catch_up(self) -> dict[str, int]:
        """Run every serving projection to the head of the log; returns events applied by each."""
        head = self.runner.head()
        done = self.runner.catch_up()
        with self._lock:
            self._reached = max(self._reached, head)
            self._progress.notify_all()
        if self.on_reached is not None:
            self.on_reached(head)
        return done

    def _follow(self) -> None:
        while True:
            with self._lock:
                polled_at = time.monotonic()
                while not (self._woken or self._stopping):
                    now = time.monotonic()
                    if self._due is not None and now >= self._due:
                        break
                    until = (
                        polled_at + self.poll if self._due is None else min(self._due, polled_at + self.poll)
                    )
                    if now >= until:
                        break
                    self._work.wait(until - now)
                if self._stopping:
                    return
                woken = self._woken or self._due is not None
                self._woken, self._due = False, None
            try:
                if woken or self.runner.head() > self._reached:  # a poll costs one query when idle
                    self.catch_up()
            except Exception:  # an outage or a defect: log it, keep the thread, try at the next poll
                log.exception("the projector could not catch up; it tries again in %s s", self.poll)
                with self._lock:
                    self._woken = False
