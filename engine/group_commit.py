"""Group commit: commands decided at the same time are written in one transaction.

Per-command transactions are bound by commit latency. Here the first thread to
arrive becomes the leader and writes every job queued meanwhile in one `save`;
the others wait for their outcome. If the joint write fails (one command lost a
race for an aggregate), each job is written alone, so only the command that lost
gets the conflict: per-command isolation, as if there were no batching.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError

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
            self._write(batch)

    def _write(self, batch: list[Job]) -> None:
        try:
            self._save(*(e for job in batch for e in job.events))
        except IntegrityError:
            if len(batch) == 1:
                batch[0].error = IntegrityError("conflict")
            else:
                for job in batch:
                    self._write([job])
                return
        except BaseException as error:
            for job in batch:
                job.error = error
        for job in batch:
            job.done.set()
