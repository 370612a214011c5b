"""What every `qi` command shares: the console, the settings, the engine, the operator."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from aggregates.base import Actor, Role
from engine.application import QIEngine

if TYPE_CHECKING:
    from adapters.bootstrap import Runtime
    from engine.read_models import ReadModels
from engine.settings import Settings

# Piped output (CI logs, scripts/run | tee) is read by people too: keep tables wide.
console = Console(width=None if sys.stdout.isatty() else 140)


CLI_ACTOR = Actor(id="cli", role=Role.SYSTEM)
T = TypeVar("T")


def _engine() -> QIEngine:
    return _configured(lambda: QIEngine(_settings()))


def _configured(build: Callable[[], T]) -> T:
    """What `build` makes; a setting it cannot work with (NotConfigured: a master key that is
    not one, say) stops the command (exit 2) with the reason, naming the variable."""
    from engine.errors import NotConfigured

    try:
        return build()
    except NotConfigured as error:
        _fail_config(str(error))


def _settings() -> Settings:
    """The QI_* settings; a bad one stops the command (exit 2) with its reason, not a traceback."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as error:
        _fail_config("; ".join(_named(e) for e in error.errors()))


def _named(error: Any) -> str:
    """A setting's error in the words of whoever set it: the QI_* variable, then the reason."""
    message = str(error["msg"]).removeprefix("Value error, ")
    variable = "QI_" + "_".join(str(part) for part in error["loc"]).upper()
    return message if message.startswith("QI_") or not error["loc"] else f"{variable}: {message}"


def _runtime() -> Runtime:
    """The engine and its read models, as a serving process has them (threads not started)."""
    from adapters.bootstrap import bootstrap

    return _configured(lambda: bootstrap(_settings()))


def _read_models() -> ReadModels:
    return _runtime().read_models


def _fail_config(message: str) -> NoReturn:
    console.print(message, style="red", markup=False, soft_wrap=True)
    raise typer.Exit(2)


def _operator() -> Actor:
    """The person at the terminal, as the actor of what the CLI records on their word."""
    import getpass

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return Actor(id=f"cli:{user}", role=Role.SYSTEM)


def _kafka_settings() -> Settings:
    settings = Settings()
    if not settings.kafka_bootstrap:
        console.print("[red]Kafka is off[/]: set QI_KAFKA_BOOTSTRAP=host:port")
        raise typer.Exit(2)
    return settings


def _stop_on_signals() -> threading.Event:
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop
