"""The composition root: `bootstrap(settings)` builds everything a serving process runs
and one object starts and stops every thread of it.

What it builds: the engine (whose store watch fails fast while PostgreSQL is down, for
the event store and the HTTP API alike), the read models with their projector, and,
when configured, the Kafka relay and the audit digest recorder; the reminder scheduler and the mail outbox. The API's lifespan
calls `start()` and `stop()`; a CLI command that only reads never starts it (its reads
catch up themselves: see engine.read_models).
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.kafka import digest_publisher_for, start_relay
from adapters.mail import start_outbox
from engine import audit_anchor, erasure, reminders
from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.settings import Settings
from engine.store_watch import StoreWatch

Halt = Callable[[], None]


class Runtime:
    """The engine and its read models, and the threads that serve beside them."""

    def __init__(self, engine: QIEngine, owns_engine: bool = False) -> None:
        self.engine = engine
        self.read_models = ReadModels(engine)
        self.owns_engine = owns_engine
        self.site_url = "http://127.0.0.1:8000"  # where links in mail point, unless QI_PUBLIC_URL says
        self._halts: list[Halt] = []

    @property
    def settings(self) -> Settings:
        return self.engine.settings

    @property
    def watch(self) -> StoreWatch:
        return self.engine.watch

    def start(self) -> None:
        """Start the projector (with in-process projections), the relay and the digest
        recorder (each when configured); `stop` ends them."""
        if self.settings.projections == "inprocess":
            self.read_models.projector.start()
            self._halts.append(self.read_models.projector.stop)
        self._halts.append(erasure.start_inprocess(self.engine, self.settings.erasure_interval))
        scheduler = reminders.ReminderScheduler(self.engine, self.read_models)
        self._halts.append(reminders.start_inprocess(scheduler, self.settings.reminder_interval))
        self._halts.append(start_outbox(self.engine, self.site_url))
        digests = digest_publisher_for(self.settings)
        for halt in (start_relay(self.engine), audit_anchor.start_inprocess(self.engine, digests)):
            if halt is not None:
                self._halts.append(halt)

    def stop(self) -> None:
        """Stop every thread `start` began (last first), then close what was opened."""
        while self._halts:
            self._halts.pop()()
        self.read_models.close()
        if self.owns_engine:
            self.engine.close()


def bootstrap(settings: Settings | None = None) -> Runtime:
    """Everything a process serving the engine needs, built from the settings (QI_* by default)."""
    return Runtime(QIEngine(settings or Settings()), owns_engine=True)


def around(engine: QIEngine) -> Runtime:
    """The runtime around an engine the caller made (and closes itself)."""
    return Runtime(engine)
