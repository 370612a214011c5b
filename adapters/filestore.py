"""The content-addressed file store beside the event store: an uploaded file
lives at <root>/<sha256[:2]>/<sha256>, and every read recomputes its SHA-256
against the one recorded in the event, so altered bytes are never served.

Uploads are checked before they are stored: not empty, at most 20 MB, and of an
accepted type judged by content, never by name. The signatures are checked here
rather than by a library: the small libraries (filetype, puremagic) tell OOXML
documents apart by guessing from entry names and do not see macro-enabled ones;
reading the package's own [Content_Types].xml is exact and needs only zipfile.
An OOXML package is read as engine.archive reads any hostile ZIP (entries counted,
every part inflated in chunks within hard caps), and one holding macros, by its
content types or by a vbaProject part, is refused. Nothing reads a whole upload
into memory: it is copied, sniffed and scanned a chunk at a time.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from aggregates.errors import RuleViolation
from aggregates.resource import MAX_FILE_BYTES, StoredFile
from engine.archive import (
    ArchiveLimits,
    ArchiveRefused,
    ArchiveUnreadable,
    count_entries,
    inflate_all,
    read_capped,
)

CHUNK = 1024 * 1024
_OOXML = "application/vnd.openxmlformats-officedocument."
# The main part's content type in [Content_Types].xml -> the document's media type.
OOXML_TYPES = {
    f"{_OOXML}wordprocessingml.document.main+xml": f"{_OOXML}wordprocessingml.document",
    f"{_OOXML}wordprocessingml.template.main+xml": f"{_OOXML}wordprocessingml.template",
    f"{_OOXML}spreadsheetml.sheet.main+xml": f"{_OOXML}spreadsheetml.sheet",
    f"{_OOXML}spreadsheetml.template.main+xml": f"{_OOXML}spreadsheetml.template",
    f"{_OOXML}presentationml.presentation.main+xml": f"{_OOXML}presentationml.presentation",
    f"{_OOXML}presentationml.slideshow.main+xml": f"{_OOXML}presentationml.slideshow",
    f"{_OOXML}presentationml.template.main+xml": f"{_OOXML}presentationml.template",
}
# Legacy (OLE compound file) Office: the main stream's directory name, in UTF-16LE.
OLE_STREAMS = {
    "WordDocument": "application/msword",
    "Workbook": "application/vnd.ms-excel",
    "PowerPoint Document": "application/vnd.ms-powerpoint",
}
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
# Word and Excel keep a document's macros in a storage of this name (VBA project streams).
OLE_MACROS = "_VBA_PROJECT".encode("utf-16-le")
OFFICE_KINDS = {"wordprocessingml": "Word", "ms-word": "Word", "spreadsheetml": "Excel", "presentationml": "PowerPoint",
                "msword": "Word", "ms-excel": "Excel", "ms-powerpoint": "PowerPoint"}  # fmt: skip
MACRO_MAIN = re.compile(r'"application/vnd\.ms-(word|excel|powerpoint)\.[a-z]+\.macroenabled\.main\+xml"')
IMAGES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF87a": "image/gif",
          b"GIF89a": "image/gif"}  # fmt: skip
ACCEPTED = "a PDF, an Office document (Word, Excel, PowerPoint) or an image (PNG, JPEG, GIF, WebP)"
MEDIA_TYPES = sorted(
    {"application/pdf", "image/webp", *IMAGES.values(), *OOXML_TYPES.values(), *OLE_STREAMS.values()}
)


class UploadRefused(ValueError):
    """An upload that is empty, too large, or not of an accepted type."""


class StoredFileAltered(RuleViolation):
    rule = "stored_file_altered"


class StoredFileMissing(RuleViolation):
    rule = "stored_file_missing"


class FileStore:
    def __init__(
        self, root: Path, max_bytes: int = MAX_FILE_BYTES, limits: ArchiveLimits | None = None
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.limits = limits or ArchiveLimits()

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, source: BinaryIO, filename: str) -> StoredFile:
        """Check and store an upload; the same bytes are stored once, under their hash."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        temporary = Path(name)
        try:
            with os.fdopen(fd, "wb") as sink:
                sha256, size = _copy(source, sink, self.max_bytes)
            media_type = sniff(temporary, self.limits)
            target = self.path(sha256)
            target.parent.mkdir(exist_ok=True)
            temporary.chmod(0o444)  # written once; a later change is an alteration
            os.replace(temporary, target)  # atomic; also repairs an altered copy of the same bytes
        finally:
            temporary.unlink(missing_ok=True)
        return StoredFile(sha256=sha256, size=size, media_type=media_type, filename=_name(filename))

    def read(self, stored: StoredFile) -> bytes:
        """The file's bytes, only if they still hash to the recorded SHA-256."""
        try:
            data = self.path(stored.sha256).read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing(
                f"the stored file of {stored.filename!r} is missing from the file store"
            ) from None
        if hashlib.sha256(data).hexdigest() != stored.sha256:
            raise StoredFileAltered(
                f"the stored file of {stored.filename!r} no longer matches its recorded SHA-256 "
                f"({stored.sha256}); it was altered on disk and is not served"
            )
        return data


def _copy(source: BinaryIO, sink: BinaryIO, max_bytes: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRefused(f"the file is larger than the {max_bytes / 2**20:.3g} MB limit")
        digest.update(chunk)
        sink.write(chunk)
    if size == 0:
        raise UploadRefused("the file is empty")
    return digest.hexdigest(), size


def sniff(path: Path, limits: ArchiveLimits | None = None) -> str:
    """The media type of an accepted file, from its content; UploadRefused otherwise."""
    with path.open("rb") as f:
        head = f.read(1024)
    if b"%PDF-" in head:  # readers accept the header anywhere in the first kilobyte
        return "application/pdf"
    for magic, media_type in IMAGES.items():
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(path, limits or ArchiveLimits())
    if head.startswith(OLE_MAGIC):
        return _ole(path)
    raise UploadRefused(f"the content is not {ACCEPTED}; types are judged by content, not by the file name")


def _ooxml(path: Path, limits: ArchiveLimits) -> str:
    try:
        count_entries(path, limits)  # before zipfile holds an object per entry in memory
        with zipfile.ZipFile(path) as package:
            types = read_capped(package, "[Content_Types].xml", limits.content_types)
            media_type = _office_type(types.decode("utf-8", "replace"), package.namelist())
            inflate_all(package, path.stat().st_size, limits)
    except ArchiveUnreadable as unreadable:
        raise UploadRefused(f"the content is a ZIP archive, not {ACCEPTED} ({unreadable})") from None
    except ArchiveRefused as refused:
        raise UploadRefused(str(refused)) from None
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, RuntimeError, NotImplementedError, EOFError):
        raise UploadRefused(f"the content is a ZIP archive, not {ACCEPTED}") from None
    return media_type


def _office_type(types: str, names: list[str]) -> str:
    """The package's media type from its main part; macros refused by content type or by part."""
    media_type = next((m for main, m in OOXML_TYPES.items() if f'"{main}"' in types), None)
    lowered = types.lower()
    macro_main = MACRO_MAIN.search(lowered)
    kind = _kind(media_type or (f"ms-{macro_main[1]}" if macro_main else ""))
    parts = (name.lower().rsplit("/", 1)[-1] for name in names)
    if "macroenabled" in lowered or "vbaproject" in lowered or any("vbaproject" in p for p in parts):
        raise UploadRefused(
            f"this {kind} file contains macros, which the library does not accept (macro-enabled "
            "documents are refused); save it without macros and upload that"
        )
    if media_type is None:
        raise UploadRefused(f"the content is a ZIP package, but not {ACCEPTED}")
    return media_type


def _kind(media_type: str) -> str:
    return next((kind for marker, kind in OFFICE_KINDS.items() if marker in media_type), "Office")


def _ole(path: Path) -> str:
    found = _scan(path, (OLE_MACROS, *(s.encode("utf-16-le") for s in OLE_STREAMS)))
    media_type = next((m for s, m in OLE_STREAMS.items() if s.encode("utf-16-le") in found), None)
    if media_type is None:
        raise UploadRefused(f"the content is a compound file, but not {ACCEPTED}")
    if OLE_MACROS in found:
        raise UploadRefused(
            f"this {_kind(media_type)} file contains macros, which the library does not accept; "
            "save it without macros and upload that"
        )
    return media_type


def _scan(path: Path, needles: tuple[bytes, ...]) -> set[bytes]:
    """Which of `needles` occur in the file, read a chunk at a time (a needle may span two)."""
    found: set[bytes] = set()
    keep, previous = max(map(len, needles)) - 1, b""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            window = previous + chunk
            found.update(n for n in needles if n in window)
            previous = window[-keep:]
    return found


def _name(filename: str) -> str:
    """The file's own name, without any folder a browser sent, kept short and printable."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable()).strip()
    return cleaned[:200] or "upload"
