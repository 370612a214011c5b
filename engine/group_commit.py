"""Group commit: commands decided at the same time are written in one transaction.

Per-command transactions are bound by commit latency. Here the first thread to
arrive becomes the leader and writes every job queued meanwhile in one `save`;
the others wait for their outcome. If the joint write fails (one command lost a
race for an aggregate), each job is written alone, so only the command that lost
gets the conflict: per-command isolation, as if there were no batching.

After each batch is written, every listener is called outside the lock (the
projector wakes on it, so it projects the batch while the next request arrives).

If the store cannot be reached, the batch fails and so does every command queued
behind it at that moment: each would otherwise wait out a save attempt of its own
(eventsourcing retries for seconds) before learning what the first already knows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError

Save = Callable[..., Any]


@dataclass
class Job:
    events: list[Any]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommitter:
    def __init__(self, save: Save, max_batch: int = 128) -> None:
        self._save = save
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[Job] = []
        self._leading = False
        self._listeners: list[Callable[[], None]] = []

    def on_commit(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after each written batch; returns the function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def commit(self, events: Sequence[Any]) -> None:
        """Write these events atomically, perhaps with other commands' in the same transaction."""
        job = Job(list(events))
        with self._lock:
            self._queue.append(job)
            lead = not self._leading
            self._leading = True
        if lead:
            self._lead()
        job.done.wait()
        if job.error is not None:
            raise job.error

    def _lead(self) -> None:
        while True:
            with self._lock:
                batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
                if not batch:
                    self._leading = False
                    return
            unreachable = self._write(batch)
            self._tell_listeners(batch)
            if unreachable is not None:
                with self._lock:
                    waiting, self._queue = self._queue, []
                _finish(waiting, unreachable)

    def _tell_listeners(self, batch: list[Job]) -> None:
        if not any(job.error is None for job in batch):
            return  # nothing of this batch was written
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def _write(self, batch: list[Job]) -> BaseException | None:
        """Write the batch; the error when the store could not be reached, else None."""
        try:
            self._save(*(e for job in batch for e in job.events))
        except IntegrityError:
            if len(batch) == 1:
                _finish(batch, IntegrityError("conflict"))
                return None
            for job in batch:
                if (unreachable := self._write([job])) is not None:
                    _finish([j for j in batch if not j.done.is_set()], unreachable)
                    return unreachable
            return None
        except (OperationalError, InterfaceError) as error:
            _finish(batch, error)
            return error
        except BaseException as error:
            _finish(batch, error)
            return None
        _finish(batch, None)
        return None


def _finish(jobs: list[Job], error: BaseException | None) -> None:
    for job in jobs:
        job.error = error
        job.done.set()
