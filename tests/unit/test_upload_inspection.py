"""Uploads that try to exhaust memory or smuggle macros: decompression bombs whose parts
lie about their size, archives of too many entries, parts that expand too far, and
Office files carrying a VBA project by content rather than by their declared type."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters import filestore
from adapters.filestore import UploadRefused, sniff
from engine.archive import ArchiveLimits
from scripts.drills import bombs

MB = 2**20
# What inspecting any upload may allocate; the bombs below inflate to 200 MB and more.
MEMORY_BOUND = 8 * MB
OOXML = "application/vnd.openxmlformats-officedocument."


def refusal(tmp_path: Path, content: bytes, limits: ArchiveLimits | None = None) -> tuple[str, int]:
    """Why `content` is refused, and the most memory inspecting it allocated at once."""
    path = tmp_path / "upload.docx"
    path.write_bytes(content)
    del content
    tracemalloc.start()
    try:
        sniff(path, limits) if limits else sniff(path)
    except UploadRefused as refused:
        return str(refused), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    raise AssertionError(f"{path.name} was accepted")


def test_a_docx_whose_content_types_claim_1000_bytes_but_inflate_to_200_mb_is_refused_in_little_memory(
    tmp_path: Path,
) -> None:
    bomb = bombs.lying_bomb(200, claimed=1000)
    assert len(bomb) < 300_000  # the 1.5 MB file is the same bomb at 1,500 MB
    reason, peak = refusal(tmp_path, bomb)
    assert peak < MEMORY_BOUND, f"inspecting the bomb allocated {peak / MB:.0f} MB at once"
    assert "misstates its contents: its part '[Content_Types].xml' does not match" in reason


def test_a_part_that_truly_inflates_to_200_mb_is_refused_by_its_ratio_after_a_megabyte(
    tmp_path: Path,
) -> None:
    reason, peak = refusal(tmp_path, bombs.honest_bomb(200))
    assert peak < MEMORY_BOUND, f"inspecting the bomb allocated {peak / MB:.0f} MB at once"
    assert "'word/media/image1.png' expands to more than 100 times its compressed size" in reason


def test_an_archive_expanding_past_the_total_cap_is_refused_though_each_part_is_modest(
    tmp_path: Path,
) -> None:
    reason, _ = refusal(tmp_path, bombs.wide_bomb(12, ratio=50), ArchiveLimits(inflated=10 * MB))
    assert reason.startswith("this archive expands to more than 10 MB when unpacked")


def test_a_part_past_the_per_part_cap_is_refused_whatever_its_ratio(tmp_path: Path) -> None:
    limits = ArchiveLimits(entry=2 * MB, ratio=10**6)
    reason, _ = refusal(tmp_path, bombs.honest_bomb(5), limits)
    assert reason == "this archive's part 'word/media/image1.png' expands to more than 2 MB when unpacked"


def test_a_zip_of_twenty_thousand_entries_is_refused_before_zipfile_parses_them(tmp_path: Path) -> None:
    reason, peak = refusal(tmp_path, bombs.many_entries(20_000))
    assert reason == "this archive holds more than 10,000 entries, more than any Office document"
    assert peak < MEMORY_BOUND


def test_entries_are_counted_not_taken_from_the_end_record_which_says_65535(tmp_path: Path) -> None:
    limits = ArchiveLimits(entries=65_536, directory=64 * MB)
    reason, _ = refusal(tmp_path, bombs.many_entries(70_000), limits)
    assert reason.startswith("this archive holds more than 65,536 entries")


def test_a_20_mb_table_of_contents_is_refused_unread(tmp_path: Path) -> None:
    bomb = bombs.many_entries(200_000)
    assert 15 * MB < len(bomb) < 20 * MB  # within the upload limit
    reason, peak = refusal(tmp_path, bomb)
    assert reason.startswith("this archive's table of contents is larger than 4 MB")
    assert peak < MEMORY_BOUND


def test_a_bzip2_part_is_refused_unread_because_zipfile_inflates_it_without_a_limit(
    tmp_path: Path,
) -> None:
    reason, _ = refusal(tmp_path, bombs.bzip2_part())
    assert "'word/media/a.bin' uses a compression method Office documents never use" in reason


@pytest.mark.parametrize(
    ("build", "kind"),
    [
        (lambda: bombs.with_vba_part("docx", "word/vbaProject.bin"), "Word"),
        (lambda: bombs.with_vba_part("xlsx", "xl/VBAPROJECT.BIN"), "Excel"),
        (lambda: bombs.with_vba_part("pptx", "ppt/vbaProject.bin"), "PowerPoint"),
        (bombs.declaring_vba, "Word"),
        (bombs.macro_enabled, "Word"),
        (bombs.legacy_with_macros, "Word"),
    ],
    ids=["docx-part", "xlsx-part-uppercase", "pptx-part", "declared-type", "docm", "legacy-doc"],
)
def test_an_office_file_with_macros_is_refused_by_its_content_whatever_its_declared_type(
    tmp_path: Path, build: Callable[[], bytes], kind: str
) -> None:
    reason, _ = refusal(tmp_path, build())
    assert reason.startswith(f"this {kind} file contains macros, which the library does not accept")


@pytest.mark.parametrize(
    ("kind", "media_type"),
    [
        ("docx", f"{OOXML}wordprocessingml.document"),
        ("xlsx", f"{OOXML}spreadsheetml.sheet"),
        ("pptx", f"{OOXML}presentationml.presentation"),
    ],
)
def test_a_genuine_small_office_file_is_accepted(tmp_path: Path, kind: str, media_type: str) -> None:
    path = tmp_path / f"toolkit.{kind}"
    path.write_bytes(bombs.office_file(kind))
    assert sniff(path) == media_type


def test_a_legacy_office_stream_name_is_found_across_a_chunk_boundary(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    name = "WordDocument".encode("utf-16-le")
    padding = filestore.CHUNK - len(bytes.fromhex("d0cf11e0a1b11ae1")) - 7
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(padding) + name + bytes(100))
    assert sniff(path) == "application/msword"
