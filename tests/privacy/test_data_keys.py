"""The data keys: sealed values open only with their person's key, keys are wrapped by a
master key kept outside the database and re-wrapped on rotation without touching a sealed
value, erasure is for good, and a bad QI_DATA_KEY is refused naming the problem."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from aggregates.personal import Keep
from engine.personal_data import (
    DataKeyMissing,
    DataKeys,
    Sealer,
    default_key_file,
    master_keys,
    new_master_key,
)
from engine.settings import Settings

AT = datetime(2026, 12, 1, tzinfo=UTC)


def _keys(tmp_path: Path, data_key: str | None) -> DataKeys:
    return DataKeys(Settings(store=str(tmp_path / "qi.sqlite3"), data_key=data_key))


def test_a_sealed_value_opens_with_its_persons_key_and_not_after_the_key_is_erased(tmp_path: Path) -> None:
    keys = _keys(tmp_path, new_master_key())
    sealer, person = Sealer(keys), uuid4()
    sealed = sealer.seal(person, Keep.AT_ONCE, {"name": "Dana Reyes"}, AT)
    assert sealed is not None and "Dana" not in str(sealed)
    assert sealer.open(sealed) == (True, {"name": "Dana Reyes"})

    keys.erase(person, Keep.AT_ONCE, AT)

    assert sealer.open(sealed) == (False, None)
    assert sealer.seal(person, Keep.AT_ONCE, "again", AT) is None  # nothing of theirs is sealed again
    assert _keys(tmp_path, keys.settings.data_key).key(sealed_key(sealed)) is None  # in every process


def sealed_key(sealed: dict[str, str]) -> object:
    from uuid import UUID

    return UUID(sealed["key"])


def test_a_ce_records_key_held_after_erasure_opens_for_ce_records_only(tmp_path: Path) -> None:
    keys = _keys(tmp_path, new_master_key())
    sealer, person = Sealer(keys), uuid4()
    sealed = sealer.seal(person, Keep.CE_RECORD, "Dana Reyes", AT)
    assert sealed is not None

    keys.schedule(person, Keep.CE_RECORD, AT.replace(year=2032), AT)

    assert sealer.open(sealed) == (False, None)
    assert sealer.open(sealed, ce_record=True) == (True, "Dana Reyes")
    assert [r.subject_id for r in keys.due(AT.replace(year=2032))] == [person]
    assert keys.due(AT.replace(year=2031)) == []


def test_rotating_the_master_key_rewraps_the_data_keys_and_every_sealed_value_still_opens(
    tmp_path: Path,
) -> None:
    old, new = new_master_key(), new_master_key()
    person = uuid4()
    sealed = Sealer(_keys(tmp_path, old)).seal(person, Keep.AT_ONCE, "Dana", AT)
    assert sealed is not None

    rotating = _keys(tmp_path, f"{new},{old}")
    assert rotating.rotate() == 2  # the person's two keys: what goes at once, what a CE record keeps
    assert rotating.rotate() == 0

    assert Sealer(_keys(tmp_path, new)).open(sealed) == (True, "Dana")  # the old key is no longer needed
    with pytest.raises(DataKeyMissing, match="wrapped by master key"):
        Sealer(_keys(tmp_path, new_master_key())).open(sealed)


def test_a_master_key_file_is_read_and_the_embedded_default_makes_one_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    file = tmp_path / "master.key"
    file.write_text(new_master_key() + "\n")
    assert len(master_keys(Settings(store=str(tmp_path / "a.sqlite3"), data_key=str(file)))) == 1

    settings = Settings(store=str(tmp_path / "qi.sqlite3"), data_key=None)
    first = master_keys(settings)[0]
    assert default_key_file(settings).stat().st_mode & 0o777 == 0o600
    assert master_keys(settings)[0].id == first.id  # made once, then read


@pytest.mark.parametrize(
    ("value", "problem"),
    [("not-a-key", "neither a master key nor a file"), ("A" * 44, "not a master key")],
)
def test_a_bad_data_key_is_refused_naming_the_problem(tmp_path: Path, value: str, problem: str) -> None:
    with pytest.raises(DataKeyMissing, match=problem):
        master_keys(Settings(store=str(tmp_path / "qi.sqlite3"), data_key=value))


def test_postgresql_without_a_data_key_refuses_to_start_naming_the_setting() -> None:
    with pytest.raises(DataKeyMissing, match="QI_DATA_KEY is not set"):
        master_keys(Settings(store="postgresql://postgres@127.0.0.1:5432/none", data_key=None))
