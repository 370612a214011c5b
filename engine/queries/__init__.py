"""The read side: every read the API and the pages make, each taking the caller's
Principal first and authorising inside (the rules are in engine.authorization), then
answering from the read models or the engine's aggregates (also as of a past moment).

Routes and pages call one query and shape its answer; none checks a read itself.
"""

from __future__ import annotations

from engine.queries.as_of import AsOf, AsOfQueries
from engine.queries.audit import AuditExplorer, AuditQueries
from engine.queries.charts import Chart, ChartQueries
from engine.queries.collaboratives import CollaborativeQueries, Overview, PhaseExit
from engine.queries.comparisons import ComparisonQueries, TeamCharts, TeamFunnel
from engine.queries.credits import CreditQueries
from engine.queries.data_quality import DataQualityQueries, TeamDataQuality
from engine.queries.feed import FeedQueries, FeedReader
from engine.queries.instruments import AssessmentReport, InstrumentQueries
from engine.queries.learning import Diagram, LearningQueries, LibraryPage
from engine.queries.people import PeopleQueries, Retention
from engine.queries.progress import CollaborativeProgress, ProgressQueries, TeamProgress
from engine.queries.reminders import ReminderQueries, ReminderView
from engine.queries.reports import ReportQueries
from engine.queries.sessions import SessionQueries, SessionRoster
from engine.queries.team_data import TeamDataQueries
from engine.queries.team_work import TeamWorkQueries
from engine.queries.teams import ActivityRead, TeamPage, TeamQueries
from engine.queries.training import TrainingQueries


class Queries(
    AsOfQueries,
    CollaborativeQueries,
    TeamQueries,
    ChartQueries,
    ComparisonQueries,
    LearningQueries,
    AuditQueries,
    CreditQueries,
    FeedQueries,
    PeopleQueries,
    TeamWorkQueries,
    TeamDataQueries,
    SessionQueries,
    ProgressQueries,
    TrainingQueries,
    ReportQueries,
    DataQualityQueries,
    InstrumentQueries,
    ReminderQueries,
):
    """All queries, built from `(engine, read_models)`: cheap, one per request is fine."""


__all__ = [
    "ActivityRead",
    "AsOf",
    "AssessmentReport",
    "AuditExplorer",
    "Chart",
    "CollaborativeProgress",
    "Diagram",
    "FeedReader",
    "LibraryPage",
    "Overview",
    "PhaseExit",
    "Queries",
    "ReminderView",
    "Retention",
    "SessionRoster",
    "TeamCharts",
    "TeamDataQuality",
    "TeamFunnel",
    "TeamPage",
    "TeamProgress",
]
