"""Library resources and the checks on uploads: a link or a stored file, tags,
and the file store refusing what is empty, too big, or of the wrong type by
content, and noticing bytes altered on disk."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError

from adapters.filestore import FileStore, StoredFileAltered, StoredFileMissing, UploadRefused, sniff
from aggregates.base import Role
from aggregates.errors import ActivityNotAllowed, RuleViolation
from aggregates.phases import Phase
from aggregates.resource import Resource, ResourceDetails, ResourceShared, StoredFile
from aggregates.values import ResourceKind
from tests.unit.builders import ctx, then_events

DETAILS = ResourceDetails(
    kind=ResourceKind.TOOL_OR_TEMPLATE,
    title="Kg-only weight policy",
    tags=("Weight in KG", "weight in kg", "policy"),
    care_settings=("community_ed", "community_ed"),
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OOXML = "application/vnd.openxmlformats-officedocument."


def ooxml(main_type: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/main.xml" ContentType="{main_type}"/></Types>',
        )
        package.writestr("main.xml", "<x/>")
    return buffer.getvalue()


def ole(stream: str) -> bytes:
    return bytes.fromhex("d0cf11e0a1b11ae1") + bytes(500) + stream.encode("utf-16-le") + bytes(100)


def test_a_shared_link_records_who_shared_it_when_and_its_tags_once_each() -> None:
    resource = Resource.share(ctx(), uuid4(), uuid4(), Phase.SESSIONS, DETAILS, url="https://example.org/kg")
    [shared] = then_events(resource)
    assert isinstance(shared, ResourceShared)
    state = resource.state
    assert (state.shared_by, state.shared_by_role, state.url, state.file) == (
        "staff-ann",
        Role.STAFF,
        shared.url,
        None,
    )
    assert state.details.tags == ("weight in kg", "policy")
    assert state.details.care_settings == ("community_ed",)


def test_a_resource_is_a_link_or_a_file_not_both_or_neither() -> None:
    stored = StoredFile(sha256="a" * 64, size=3, media_type="application/pdf", filename="a.pdf")
    with pytest.raises(RuleViolation, match="either a link or an uploaded file"):
        Resource.share(ctx(), uuid4(), uuid4(), Phase.SESSIONS, DETAILS)
    with pytest.raises(RuleViolation, match="either a link or an uploaded file"):
        Resource.share(ctx(), uuid4(), uuid4(), Phase.SESSIONS, DETAILS, url="https://x.org", file=stored)


def test_the_library_stays_open_in_the_community_of_practice_but_not_once_closed() -> None:
    Resource.share(ctx(), uuid4(), uuid4(), Phase.COMMUNITY_OF_PRACTICE, DETAILS, url="https://x.org")
    with pytest.raises(ActivityNotAllowed):
        Resource.share(ctx(), uuid4(), uuid4(), Phase.CLOSED, DETAILS, url="https://x.org")


def test_a_tag_holds_no_comma() -> None:
    with pytest.raises(ValidationError):
        ResourceDetails(kind=ResourceKind.ARTICLE, title="A", tags=("a, b",))


def test_an_upload_is_stored_under_its_sha256_and_read_back_checked(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    stored = store.put(io.BytesIO(PDF), "C:\\Users\\ann\\policy.pdf")
    assert (
        stored.media_type == "application/pdf" and stored.size == len(PDF) and stored.filename == "policy.pdf"
    )
    assert store.path(stored.sha256) == tmp_path / stored.sha256[:2] / stored.sha256
    assert store.read(stored) == PDF
    assert store.put(io.BytesIO(PDF), "again.pdf").sha256 == stored.sha256
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [stored.sha256]


def test_a_file_altered_on_disk_is_detected_and_not_served(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    stored = store.put(io.BytesIO(PDF), "policy.pdf")
    path = store.path(stored.sha256)
    path.chmod(0o644)
    path.write_bytes(PDF.replace(b"1.4", b"1.7"))
    with pytest.raises(StoredFileAltered, match="no longer matches its recorded SHA-256"):
        store.read(stored)
    path.unlink()
    with pytest.raises(StoredFileMissing, match="missing"):
        store.read(stored)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"x" * 2049, "larger than the 0.00195 MB limit"),
        (b"MZ\x90\x00 an executable named policy.pdf", "not a PDF, an Office document"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
            "judged by content, not by the file name",
        ),
        (ooxml("application/vnd.ms-word.document.macroEnabled.main+xml"), "macro-enabled"),
        (ooxml("application/vnd.oasis.opendocument.text"), "a ZIP package, but not"),
        (b"PK\x03\x04 not really a zip", "a ZIP archive, not"),
        (ole("Something Else"), "a compound file, but not"),
    ],
)
def test_refused_uploads_say_why_and_leave_nothing_behind(
    tmp_path: Path, content: bytes, message: str
) -> None:
    store = FileStore(tmp_path, max_bytes=2048)
    with pytest.raises(UploadRefused, match=message):
        store.put(io.BytesIO(content), "policy.pdf")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "image/png"),
        (b"\xff\xd8\xff\xe0" + bytes(20), "image/jpeg"),
        (b"GIF89a" + bytes(20), "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(20), "image/webp"),
        (ooxml(f"{OOXML}wordprocessingml.document.main+xml"), f"{OOXML}wordprocessingml.document"),
        (ooxml(f"{OOXML}spreadsheetml.sheet.main+xml"), f"{OOXML}spreadsheetml.sheet"),
        (ooxml(f"{OOXML}presentationml.presentation.main+xml"), f"{OOXML}presentationml.presentation"),
        (ole("WordDocument"), "application/msword"),
        (ole("Workbook"), "application/vnd.ms-excel"),
        (ole("PowerPoint Document"), "application/vnd.ms-powerpoint"),
    ],
)
def test_types_are_told_by_content_whatever_the_name(tmp_path: Path, content: bytes, media_type: str) -> None:
    path = tmp_path / "named-like-a.pdf"
    path.write_bytes(content)
    assert sniff(path) == media_type
