"""What the reliability drills need: the PostgreSQL server, a Kafka broker, and a way
to read a drill's report as a test outcome.

Under CI=true a service that cannot be reached or started fails the run; locally the
drills that need it skip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from scripts.drills.processes import Broker, DrillSetupError, listening
from scripts.drills.report import DrillReport
from tests.conftest import IN_CI


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the reliability drills must run)", pytrace=False)
    pytest.skip(reason)


def held(report: DrillReport) -> DrillReport:
    """Fail with every broken promise named, and the counts beside them."""
    figures = ", ".join(f"{k}: {v}" for k, v in report.counts.items())
    assert report.held, (
        f"{report.name} on {report.store} broke promises:\n"
        + "\n".join(f"- {f}" for f in report.failures)
        + f"\ncounts: {figures}"
    )
    return report


@pytest.fixture(scope="session")
def postgres_server(postgres_url: str) -> str:
    """The shared PostgreSQL server (no database): drills create and drop their own there."""
    return postgres_url.rsplit("/", 1)[0]


@pytest.fixture(scope="session")
def broker_bootstrap() -> Iterator[str]:
    external = os.environ.get("QI_TEST_KAFKA_BOOTSTRAP")
    if external:
        if not listening(int(external.rpartition(":")[2])):
            unavailable(f"no broker answers at QI_TEST_KAFKA_BOOTSTRAP={external}")
        yield external
        return
    try:
        broker = Broker().start()
    except DrillSetupError as error:
        unavailable(str(error))
    yield broker.bootstrap
    broker.stop()


def drill(run: Callable[..., DrillReport], *args: Any, **kwargs: Any) -> DrillReport:
    """Run a drill and require that it held; a service it could not start (a private
    cluster, a broker) skips locally and fails in CI."""
    try:
        report = run(*args, **kwargs)
    except DrillSetupError as error:
        unavailable(str(error))
        raise
    return held(report)
