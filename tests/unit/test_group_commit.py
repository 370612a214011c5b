"""Group commit: jobs queued together share one write; a conflict stays with its job."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from engine.group_commit import GroupCommitter


class FakeStore:
    """Refuses any write that contains a poisoned event; records the writes it accepts."""

    def __init__(self, release: threading.Event | None = None) -> None:
        self.writes: list[tuple[Any, ...]] = []
        self.release = release

    def save(self, *events: Any) -> None:
        if self.release is not None:
            self.release.wait(5)
        if "poison" in events:
            raise IntegrityError("duplicate")
        self.writes.append(events)


def test_a_lone_command_is_written_alone() -> None:
    store = FakeStore()
    GroupCommitter(store.save).commit(["a1", "a2"])
    assert store.writes == [("a1", "a2")]


def test_commands_queued_while_one_is_written_share_the_next_write_and_conflicts_stay_isolated() -> None:
    release = threading.Event()
    store = FakeStore(release)
    committer = GroupCommitter(store.save)
    errors: dict[str, BaseException | None] = {}

    def run(name: str, events: list[str]) -> None:
        try:
            committer.commit(events)
            errors[name] = None
        except IntegrityError as error:
            errors[name] = error

    leader = threading.Thread(target=run, args=("first", ["f"]))
    leader.start()
    threads = [
        threading.Thread(target=run, args=(n, e))
        for n, e in (("ok", ["o"]), ("bad", ["poison"]), ("also", ["x"]))
    ]
    for thread in threads:
        thread.start()
    for _ in range(100):
        if len(committer._queue) == 3:
            break
        threading.Event().wait(0.01)
    release.set()
    for thread in (leader, *threads):
        thread.join(5)
    assert errors["first"] is None and errors["ok"] is None and errors["also"] is None
    assert isinstance(errors["bad"], IntegrityError)
    assert ("f",) in store.writes and ("o",) in store.writes and ("x",) in store.writes
    assert sorted(e for write in store.writes for e in write) == ["f", "o", "x"]


def test_an_unexpected_failure_reaches_every_command_in_the_write() -> None:
    def broken(*_: Any) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        GroupCommitter(broken).commit(["a"])
