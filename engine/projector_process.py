"""The projector in a process of its own beside the API (`QI_PROJECTOR=process`, the default).

Projecting is Python work: on a thread of the API process it takes the interpreter's
lock from the requests, so every command waits behind it and the machine's second core
sits idle. Here the same `Projector` runs in a child process, and the API process keeps
only its side of a pipe:

- after each commit it sends `commit` (the child gathers them for `linger`, as before);
- a reader that needs a position the read models have not reached sends `hurry` and
  waits on a condition; the child sends back each position it reaches;
- `lower` tells the child a read model was resumed from an earlier position.

The child shares nothing else with its parent: it opens its own connections to the
event store and the read-model store, and the runner's locked positions keep the two
processes (and any `qi project` worker) from applying an event twice. If the child
dies, the parent starts another after a pause, and meanwhile a waiting reader catches
the read models up itself, as a process without a projector does. If the parent dies,
the child reads the end of the pipe and exits.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from engine.application import QIEngine
from engine.projection_runner import ProjectionRunner
from engine.projector import Projector
from engine.readstore import ReadStore
from engine.settings import Settings
from projections.base import Projection

log = logging.getLogger(__name__)
RESTART_PAUSE = 1.0  # seconds before a child that died is replaced
Projections = Callable[[], Sequence[Projection]]  # a module-level function: the child imports it


class ProjectorProcess:
    """A `Projector` in a child process; the same interface as the thread, to its callers."""

    def __init__(self, runner: ProjectionRunner, projections: Projections) -> None:
        self.runner = runner  # the parent's own, for `catch_up` and the fallback of `wait_for`
        self.projections = projections
        settings = runner.engine.settings
        self.poll = settings.projection_poll
        self.linger = settings.projection_linger
        self._lock = threading.Lock()
        self._progress = threading.Condition(self._lock)
        self._send_lock = threading.Lock()  # request threads commit concurrently; a pipe is one writer
        self._reached = 0
        self._connection: Connection | None = None
        self._child: Any = None  # multiprocessing's SpawnProcess
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()
        self._unsubscribe: Callable[[], None] = lambda: None

    @property
    def reached(self) -> int:
        return self._reached

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> None:
        """Start the child (once) and the thread that listens to it; `stop` ends both."""
        if self._listener is not None:
            return
        self._stopping.clear()
        self._spawn()
        self._listener = threading.Thread(target=self._listen, name="qi-projector-pipe", daemon=True)
        self._listener.start()
        self._unsubscribe = self.runner.engine.after_commit(self.wake)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the child after the batch in hand; waiting readers then catch up themselves."""
        self._unsubscribe()
        self._stopping.set()
        self._send(("stop", 0))
        child, listener = self._child, self._listener
        if child is not None:
            child.join(timeout)
            if child.is_alive():
                child.terminate()
                child.join(5)
        if listener is not None:
            listener.join(5)
        if self._connection is not None:
            self._connection.close()
        self._child = self._connection = self._listener = None
        with self._lock:
            self._progress.notify_all()

    def wake(self) -> None:
        """New events were written here: the child projects them within `linger`."""
        self._send(("commit", 0))

    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until the child reached `position`; False when `timeout` passed first. With
        no child alive (stopped, or being replaced), catch up here instead."""
        deadline = time.monotonic() + timeout
        hurried = False
        with self._lock:
            while self._reached < position and self._alive():
                if not hurried:
                    self._send(("hurry", 0))
                    hurried = True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._progress.wait(min(remaining, self.poll))
            if self._reached >= position:
                return True
        self.catch_up()
        return True

    def lower_to(self, position: int) -> None:
        """A projection went back to `position` (resumed after a failure): reads wait for it again."""
        with self._lock:
            self._reached = min(self._reached, position)
        self._send(("lower", position))

    def catch_up(self) -> dict[str, int]:
        """Run every serving projection to the head of the log, in this process."""
        head = self.runner.head()
        done = self.runner.catch_up()
        self._arrived(head)
        return done

    def _alive(self) -> bool:
        return self._child is not None and self._child.is_alive() and not self._stopping.is_set()

    def _spawn(self) -> None:
        # spawn, not fork: the parent has threads (requests, the store watch), and a forked
        # child would inherit their locks in whatever state they were.
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        settings = self.runner.engine.settings
        child = context.Process(
            target=_project_in_child,
            args=(settings, self.projections, child_end),
            name="qi-projector",
            daemon=True,
        )
        child.start()
        child_end.close()
        self._connection, self._child = parent_end, child

    def _listen(self) -> None:
        while not self._stopping.is_set() and (connection := self._connection) is not None:
            try:
                kind, position = connection.recv()
            except (EOFError, OSError):
                if self._stopping.is_set():
                    return
                log.error("the projector process ended; another starts in %s s", RESTART_PAUSE)
                with self._lock:
                    self._progress.notify_all()  # waiting readers catch up themselves meanwhile
                connection.close()
                if self._child is not None:
                    self._child.join(1)  # reap it
                if self._stopping.wait(RESTART_PAUSE):
                    return
                self._spawn()
                continue
            if kind == "reached":
                self._arrived(position)

    def _arrived(self, position: int) -> None:
        with self._lock:
            self._reached = max(self._reached, position)
            self._progress.notify_all()

    def _send(self, message: tuple[str, int]) -> None:
        connection = self._connection
        if connection is None:
            return
        try:
            with self._send_lock:
                connection.send(message)
        except (OSError, ValueError):  # the child is gone or going: the listener replaces it
            pass


def _project_in_child(settings: Settings, projections: Projections, connection: Connection) -> None:
    """The child's life: a projector over its own connections, told by the pipe when to run."""
    engine = QIEngine(settings)
    store = ReadStore(settings, settings.read_models_store)
    runner = ProjectionRunner(engine, store, projections(), settings.projection_batch)
    sending = threading.Lock()

    def tell(position: int) -> None:
        with sending:
            connection.send(("reached", position))

    projector = Projector(runner, settings.projection_poll, settings.projection_linger, on_reached=tell)
    projector.start()
    try:
        while True:
            try:
                kind, position = connection.recv()
            except (EOFError, OSError):  # the parent is gone
                break
            if kind == "commit":
                projector.wake()
            elif kind == "hurry":
                projector.hurry()
            elif kind == "lower":
                projector.lower_to(position)
            elif kind == "stop":
                break
    finally:
        projector.stop()
        runner.store.close()
        engine.close()
