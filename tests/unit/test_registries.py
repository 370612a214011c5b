"""The engine's two tables are complete: every command has exactly one handler, and
every aggregate class the domain defines is a kind the engine knows."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import Any, get_type_hints

import aggregates
import engine.commands
import engine.handlers
from aggregates.base import QIAggregate
from aggregates.kinds import KINDS, kind_name, snapshotted
from aggregates.team import Team
from engine.commands import Command
from engine.handlers import HANDLERS


def _modules(package: ModuleType) -> list[ModuleType]:
    return [
        importlib.import_module(m.name)
        for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    ]


def _defined_in(package: ModuleType, base: type[Any]) -> set[type[Any]]:
    return {
        cls
        for module in _modules(package)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, base) and cls is not base and cls.__module__ == module.__name__
    }


def _concrete_commands() -> set[type[Command]]:
    # A base such as TeamCommand only shares fields: the commands are its subclasses.
    return {c for c in _defined_in(engine.commands, Command) if not c.__subclasses__()}


def test_every_command_class_has_a_handler() -> None:
    unhandled = sorted(c.__name__ for c in _concrete_commands() - HANDLERS.keys())
    assert unhandled == []


def test_the_handler_table_holds_only_command_classes() -> None:
    assert set(HANDLERS) == _concrete_commands()


def test_each_handler_takes_the_command_it_is_listed_for() -> None:
    mismatched = [
        f"{command.__name__} -> {handler.__name__}"
        for command, handler in HANDLERS.items()
        if get_type_hints(handler)["cmd"] is not command
    ]
    assert mismatched == []


def test_no_command_is_claimed_by_two_handler_modules() -> None:
    claims = [c.__name__ for module in _modules(engine.handlers) for c in getattr(module, "HANDLERS", {})]
    assert sorted(claims) == sorted(c.__name__ for c in HANDLERS)


def test_every_aggregate_class_in_the_domain_is_in_the_kinds_table() -> None:
    listed = {kind.aggregate for kind in KINDS}
    assert sorted(c.__name__ for c in _defined_in(aggregates, QIAggregate) - listed) == []
    assert len(listed) == len(KINDS)


def test_each_kind_is_created_by_an_event_of_its_own_module_with_a_name_of_its_own() -> None:
    assert all(kind.created.__module__ == kind.aggregate.__module__ for kind in KINDS)
    assert len({kind.name for kind in KINDS}) == len(KINDS)


def test_messages_name_a_kind_in_words_and_long_lived_kinds_are_snapshotted() -> None:
    assert kind_name(Team) == "team"
    assert Team in snapshotted()


def test_no_two_query_mixins_define_a_method_of_the_same_name() -> None:
    """Queries is one class made of many: a name defined twice would silently answer with the first."""
    from collections import defaultdict

    from engine.queries import Queries

    defined: dict[str, list[str]] = defaultdict(list)
    for mixin in Queries.__mro__[1:]:
        for name, value in vars(mixin).items():
            if callable(value) and not name.startswith("__"):
                defined[name].append(mixin.__name__)
    assert {n: c for n, c in defined.items() if len(c) > 1} == {}
