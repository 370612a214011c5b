"""The read side the API and CLI use: the read-model store, the projection
runner, and queries answered from the projected tables.

On the embedded default (`QI_PROJECTIONS=inprocess`) the projector (engine.projector, in a
child process by default: engine.projector_process) keeps the read models current, and a query first waits until they reached the head
of the log as it was when the query began, so a reader sees their own writes (and
every other process's before them) without writing anything itself. With no
projector running the query catches up itself. With `worker`, `qi project`
processes keep the read models current and queries read what is there.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID

import orjson

from engine import projection_failures as failures
from engine.application import QIEngine
from engine.audit_anchor import DigestLog, digest_log
from engine.errors import NotFound
from engine.projection_failures import ReadModelUnavailable
from engine.projection_runner import ProjectionRunner
from engine.projector import Projector, ReadModelsBehind
from engine.projector_process import ProjectorProcess
from engine.readstore import ReadStore
from engine.schema_lock import schema_lock
from projections import (
    audit,
    audit_query,
    change_ideas,
    charts,
    dashboard_names,
    dashboard_view,
    instruments,
    learning,
    learning_view,
    progress,
    reminders,
    training,
)
from projections.audit import AuditFilter, AuditRow, StoredRecord, Verification
from projections.base import Projection, Tx
from projections.change_ideas import DriverDiagramView
from projections.charts import Built, ChartOptions, ChartView, TeamChart, TeamData
from projections.credits import ledger as credits
from projections.credits.as_of import credit_then
from projections.credits.check import CreditCheck, credit_check
from projections.credits.completions import ReportFile, report_file
from projections.credits.requirements import Report
from projections.credits.schemas import CreditRow, MocPart4Status, Transcript
from projections.dashboard import Dashboard
from projections.dashboard_kept import KeptDashboards
from projections.dashboard_view import CollaborativeListed, DashboardView, PersonAttendance, PersonTeam
from projections.learning_view import ResourceView, SharedProjectView, ToolkitView

PAGE = 1000
View = TypeVar("View")


class ViewCache:
    """Views of a collaborative as a whole (its dashboard, its charts over every team)
    kept until the projection they are read from moves: a read model changes only when
    its projection's position does, so an unchanged position means an unchanged view.
    Views are treated as immutable by everyone who receives them."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._views: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, position: int, key: Hashable, build: Callable[[], View]) -> View:
        """The view under `key` as of the projection's `position` (read in the same transaction
        as the rows `build` reads, so position and rows agree): cached, or built now."""
        with self._lock:
            cached = self._views.get(key)
            if cached is not None and cached[0] == position:
                self._views.move_to_end(key)
                return cast(View, cached[1])
        view = build()
        with self._lock:
            self._views[key] = (position, view)
            self._views.move_to_end(key)
            while len(self._views) > self.size:
                self._views.popitem(last=False)
        return view


class BuiltCharts:
    """The teams' charts of the measures read side by side lately (`Built` per collaborative and
    measure), so that after a change only the charts it touched are drawn again."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._built: OrderedDict[tuple[UUID, str], Built] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, collaborative_id: UUID, key: str) -> Built:
        with self._lock:
            built = self._built.setdefault((collaborative_id, key), {})
            self._built.move_to_end((collaborative_id, key))
            while len(self._built) > self.size:
                self._built.popitem(last=False)
            return built


def all_projections() -> list[Projection]:
    return [
        audit.AuditTrail(),
        Dashboard(),
        credits.CreditLedger(),
        learning.Learning(),
        progress.Progress(),
        training.Training(),
        instruments.Instruments(),
        reminders.Reminders(),
    ]


class ReadModels:
    def __init__(self, engine: QIEngine, projections: list[Projection] | None = None) -> None:
        self.engine = engine
        self.store = ReadStore(engine.settings, engine.settings.read_models_store)
        self._records: ReadStore | None = None  # the digests' store, opened when first asked
        self.runner = ProjectionRunner(
            engine, self.store, projections or all_projections(), engine.settings.projection_batch
        )
        with schema_lock(engine.settings):  # another process may be creating the tables right now
            self.runner.prepare()
        self.projector: Projector | ProjectorProcess
        settings = engine.settings
        if settings.projections == "inprocess" and settings.projector == "process" and projections is None:
            self.projector = ProjectorProcess(self.runner, all_projections)
        else:  # a thread: `qi project` is the projector's process itself; and a child could
            # not rebuild projections handed in by the caller
            self.projector = Projector(
                self.runner, engine.settings.projection_poll, engine.settings.projection_linger
            )
        self._views = ViewCache()  # of the dashboard read model
        self._dashboards = KeptDashboards()  # brought forward after a change, not built again
        self._built = BuiltCharts()

    def wait_for(self, position: int | None = None) -> None:
        """Wait until the in-process projections reached `position` (default: the head of the
        log now, one query), so a read sees every write made before it; ReadModelsBehind (503)
        after QI_READ_WAIT_SECONDS. With `worker` projections, reads read what is there."""
        settings = self.engine.settings
        if settings.projections != "inprocess":
            return
        if position is None:
            position = self.runner.head()
        if self.projector.reached >= position:
            return
        began = time.monotonic()
        if not self.projector.wait_for(position, settings.read_wait_seconds):
            raise ReadModelsBehind(position, self.projector.reached, round(time.monotonic() - began, 1))

    def audit(self, filters: AuditFilter) -> list[AuditRow]:
        self.wait_for()
        with self._reading("audit") as tx:
            return audit.query(tx, filters)

    def audit_page(self, filters: AuditFilter, size: int, after: int | None = None) -> audit_query.AuditPage:
        """A page of the trail newest first (audit_query.page)."""
        self.wait_for()
        with self._reading("audit") as tx:
            return audit_query.page(tx, filters, size, after)

    def audit_present(self, scope: tuple[UUID, ...] | None) -> tuple[list[str], list[tuple[str, str | None]]]:
        """The event types and the actors (id, role) in the trail, within these collaboratives' events."""
        self.wait_for()
        with self._reading("audit") as tx:
            return audit_query.actions_present(tx, scope), audit_query.actors_present(tx, scope)

    def audit_first_from(self, moment: str) -> int | None:
        self.wait_for()
        with self._reading("audit") as tx:
            return audit_query.first_position_from(tx, moment)

    def audit_events_until(self, collaborative_id: UUID, until: str) -> list[tuple[int, UUID, int]]:
        self.wait_for()
        with self._reading("audit") as tx:
            return audit_query.events_until(tx, collaborative_id, until)

    def audit_actions_since(self, collaborative_id: UUID, since: str) -> dict[str, int]:
        self.wait_for()
        with self._reading("audit") as tx:
            return audit_query.actions_since(tx, collaborative_id, since)

    def team_names(self) -> list[tuple[UUID, str, UUID]]:
        """(team id, name, collaborative id) of every team."""
        self.wait_for()
        with self._reading("dashboard") as tx:
            return dashboard_names.team_names(tx)

    def dashboard(self, collaborative_id: UUID) -> DashboardView | None:
        self.wait_for()
        with self._reading_at("dashboard") as (tx, at):
            return self._views.get(
                at, ("dashboard", collaborative_id), lambda: self._dashboards.view(tx, collaborative_id, at)
            )

    def dashboard_json(self, collaborative_id: UUID) -> bytes | None:
        """The dashboard as the API sends it (JSON), serialised once per read-model position."""
        self.wait_for()
        with self._reading_at("dashboard") as (tx, at):
            return self._views.get(
                at,
                ("dashboard json", collaborative_id),
                lambda: _json(self._dashboards.view(tx, collaborative_id, at)),
            )

    def collaboratives(self) -> list[CollaborativeListed]:
        """Every collaborative, oldest first, as the list shows it."""
        self.wait_for()
        with self._reading("dashboard") as tx:
            return dashboard_view.collaboratives(tx)

    def _ce_record(self, stored: Any) -> Any:
        """Opens a learner's name and licences for a CE record: retention keeps them after
        the person's erasure (aggregates.personal.Keep.CE_RECORD)."""
        return self.engine.open_personal(stored, ce_record=True)

    def person_records(self, participant_id: UUID) -> tuple[list[PersonTeam], list[PersonAttendance]]:
        """The teams a person is on and the sessions they attended."""
        self.wait_for()
        with self._reading("dashboard") as tx:
            return dashboard_view.person_records(tx, participant_id)

    def transcript(self, participant_id: UUID) -> Transcript:
        """A participant's CE / MOC transcript; NotFound for an unknown participant."""
        self.wait_for()
        with self._reading("credits") as tx:
            found = credits.transcript(tx, participant_id, self._ce_record)
        if found is None:
            raise NotFound("participant", participant_id)
        return found

    def moc_part4_status(self, participant_id: UUID) -> list[MocPart4Status]:
        """Where a participant stands for MOC Part 4 on each team they are a member of."""
        self.wait_for()
        with self._reading("credits") as tx:
            return credits.moc_part4_status(tx, participant_id)

    def credits(self, collaborative_id: UUID) -> list[CreditRow]:
        """Every credit ledger entry of a collaborative, in ledger order."""
        self.engine.collaborative(collaborative_id)
        self.wait_for()
        with self._reading("credits") as tx:
            return credits.credit_rows(tx, collaborative_id, self._ce_record)

    def credit_check(self, collaborative_id: UUID, as_of: datetime) -> CreditCheck:
        """Who and what of a collaborative's ledger as of `as_of` cannot be reported, and why."""
        self.engine.collaborative(collaborative_id)
        self.wait_for()
        with self._reading("credits") as tx:
            return credit_check(tx, collaborative_id, as_of, self._ce_record)

    def report_file(self, collaborative_id: UUID, reports: tuple[Report, ...], as_of: datetime) -> ReportFile:
        """What an accreditor's file of `reports` is made of, as the ledger stood at `as_of`."""
        self.engine.collaborative(collaborative_id)
        self.wait_for()
        with self._reading("credits") as tx:
            return report_file(credit_then(tx, collaborative_id, as_of, self._ce_record), reports)

    def team_chart(self, team_id: UUID, key: str, options: ChartOptions) -> ChartView | None:
        self.wait_for()
        with self._reading("dashboard") as tx:
            return charts.team_chart(tx, team_id, key, options)

    def collaborative_chart(
        self, collaborative_id: UUID, key: str, options: ChartOptions
    ) -> ChartView | None:
        self.wait_for()
        with self._reading_at("dashboard") as (tx, at):
            return self._views.get(
                at,
                ("collaborative chart", collaborative_id, key, options.model_dump_json()),
                lambda: charts.collaborative_chart(tx, collaborative_id, key, options),
            )

    def team_charts(self, collaborative_id: UUID, key: str) -> list[TeamChart]:
        """Every active team's chart of the measure (cached until the dashboard moves on; then
        only the teams whose charts changed are drawn again)."""
        self.wait_for()
        built = self._built.get(collaborative_id, key)
        with self._reading_at("dashboard") as (tx, at):
            return self._views.get(  # type: ignore[no-any-return]
                at,
                ("team charts", collaborative_id, key),
                lambda: charts.team_charts(tx, collaborative_id, key, built),
            )

    def team_data(self, collaborative_id: UUID, key: str) -> list[TeamData]:
        """Every active team's months of the measure as reported (cached as the dashboard is)."""
        self.wait_for()
        with self._reading_at("dashboard") as (tx, at):
            return self._views.get(  # type: ignore[no-any-return]
                at, ("team data", collaborative_id, key), lambda: charts.team_data(tx, collaborative_id, key)
            )

    def library(
        self, collaborative_id: UUID, q: str | None = None, tag: str | None = None
    ) -> list[ResourceView]:
        """The collaborative's resources, newest first, matching every word of `q` and `tag`."""
        self.wait_for()
        with self._reading("learning") as tx:
            return learning_view.resources(tx, collaborative_id, q, tag)

    def library_tags(self, collaborative_id: UUID) -> list[tuple[str, int]]:
        self.wait_for()
        with self._reading("learning") as tx:
            return learning_view.library_tags(tx, collaborative_id)

    def resource(self, resource_id: UUID) -> ResourceView | None:
        self.wait_for()
        with self._reading("learning") as tx:
            return learning_view.resource(tx, resource_id)

    def driver_diagram(self, collaborative_id: UUID) -> DriverDiagramView | None:
        """The change package with each change idea's figures; None before it is started."""
        self.wait_for()
        with self._reading("learning") as tx:
            return change_ideas.driver_diagram(tx, collaborative_id)

    def shared_projects(self, collaborative_id: UUID) -> list[SharedProjectView]:
        self.wait_for()
        with self._reading("learning") as tx:
            return learning_view.shared_projects(tx, collaborative_id)

    def toolkit(self, toolkit_id: UUID) -> ToolkitView | None:
        self.wait_for()
        with self._reading("learning") as tx:
            return learning_view.toolkit(tx, toolkit_id)

    def toolkits(self, collaborative_id: UUID) -> list[ToolkitView]:
        self.wait_for()
        with self._reading("learning") as tx:
            return learning_view.toolkits(tx, collaborative_id)

    @contextmanager
    def _reading(self, read_model: str) -> Iterator[Tx]:
        """A transaction on a read model that is serving: ReadModelUnavailable (503) if it
        stopped on an event it could not apply."""
        with self.store.transaction() as tx:
            failure = failures.failed(tx, read_model)
            if failure is not None:
                raise ReadModelUnavailable(failure)
            yield tx

    @contextmanager
    def _reading_at(self, read_model: str) -> Iterator[tuple[Tx, int]]:
        """As `_reading`, with the read model's position, both asked in one statement."""
        with self.store.transaction() as tx:
            position, failure = failures.standing(tx, read_model)
            if failure is not None:
                raise ReadModelUnavailable(failure)
            yield tx, position

    def resume(self, read_model: str) -> failures.Failure | None:
        """Try a stopped read model's failed event again (after a fix); see ProjectionRunner.resume."""
        cleared = self.runner.resume(read_model)
        self.projector.lower_to(self.runner.position(read_model))
        return cleared

    def failures(self) -> dict[str, failures.Failure]:
        """The read models stopped on an event, by name (empty when all are serving)."""
        return self.runner.failures()

    def verify_audit(self) -> Verification:
        """Recompute the hash chain from the event store and compare it with the trail."""
        self.wait_for()
        return audit.verify(self._stored_records(), self._audited_links())

    def _stored_records(self) -> Iterator[StoredRecord]:
        position = 0
        while page := self.engine.recorder.select_notifications(position, PAGE, inclusive_of_start=False):
            for n in page:
                yield n.id, UUID(str(n.originator_id)), n.originator_version, n.topic, n.state
            position = page[-1].id

    def _audited_links(self) -> Iterator[audit.AuditedLink]:
        after = 0
        while True:
            with self.store.transaction() as tx:
                page = audit.audited_links(tx, after, PAGE)
            if not page:
                return
            yield from page
            after = page[-1][0]

    @property
    def digests(self) -> DigestLog:
        """The recorded audit digests (kept with the events: they cannot be rebuilt)."""
        if self._records is None:
            self._records = ReadStore(self.engine.settings)
        return digest_log(self._records)

    def close(self) -> None:
        self.projector.stop()
        self.store.close()
        if self._records is not None:
            self._records.close()
            self._records = None


def _json(view: DashboardView | None) -> bytes | None:
    """A view as the API's responses render it (adapters.http.responses: orjson of its JSON form)."""
    return (
        None if view is None else orjson.dumps(view.model_dump(mode="json"), option=orjson.OPT_NON_STR_KEYS)
    )
