"""Reading a ZIP upload without trusting it: the entries are counted from the central
directory before zipfile parses it, and every part is inflated in small chunks through
zipfile's streaming open(), stopping at hard caps on what is actually produced.

Declared sizes are never believed. zipfile's own `read()` asks zlib for up to 2 GB of
output in one call, so a part that claims 1,000 bytes but inflates to 1.5 GB filled
memory before its checksum failed; reading 64 KB at a time keeps a hostile upload to
a few hundred kilobytes. Only stored and deflated parts are read (ECMA-376 allows no
other method): zipfile's bzip2 and LZMA readers take no output limit at all.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MB = 2**20
READ = 64 * 1024
EOCD = struct.Struct("<4s4H2LH")  # end of central directory: 22 bytes
EOCD_SIGNATURE, EOCD64_SIGNATURE, LOCATOR64_SIGNATURE = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
ENTRY_SIGNATURE, ENTRY_HEADER = b"PK\x01\x02", 46
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


@dataclass(frozen=True)
class ArchiveLimits:
    """Hard caps on what an uploaded archive may hold and expand to."""

    entries: int = 10_000  # a 500-slide deck holds about 2,000 parts
    directory: int = 4 * MB  # the central directory; 10,000 entries need about 1.5 MB
    inflated: int = 256 * MB  # all parts together, as actually inflated
    entry: int = 128 * MB  # any one part
    ratio: int = 100  # inflated : compressed, per part (Apache POI's default too)
    # Small XML parts legitimately compress 200:1; the ratio counts once a part is past this.
    ratio_grace: int = MB
    content_types: int = MB  # [Content_Types].xml: a real one is a few kilobytes


class ArchiveRefused(ValueError):
    """An archive that holds or expands to more than its limits, or lies about its parts."""


class ArchiveUnreadable(ArchiveRefused):
    """Bytes that start like a ZIP archive but have no readable central directory."""


def count_entries(path: Path, limits: ArchiveLimits) -> int:
    """The number of entries in the central directory, counted without believing its totals."""
    size = path.stat().st_size
    with path.open("rb") as f:
        start, length = _directory(f, size)
        if length > limits.directory:
            raise ArchiveRefused(
                f"this archive's table of contents is larger than {_mb(limits.directory)}, "
                "far more than any Office document needs"
            )
        return _walk(f, start, length, limits.entries)


def _directory(f: BinaryIO, size: int) -> tuple[int, int]:
    """Where the central directory starts and how long it is, found the way zipfile finds it."""
    window = min(size, EOCD.size + 65535)
    f.seek(size - window)
    tail = f.read(window)
    last = tail[-EOCD.size :]
    at = (
        window - EOCD.size
        if last[:4] == EOCD_SIGNATURE and last[-2:] == b"\0\0"
        else tail.rfind(EOCD_SIGNATURE)
    )
    if at < 0 or at + EOCD.size > window:
        raise ArchiveUnreadable("its end of central directory is missing")
    length, end = EOCD.unpack_from(tail, at)[5], size - window + at
    f.seek(max(end - 20 - 56, 0))
    zip64 = f.read(76)
    if len(zip64) == 76 and zip64[56:60] == LOCATOR64_SIGNATURE and zip64[:4] == EOCD64_SIGNATURE:
        length, end = struct.unpack_from("<Q", zip64, 40)[0], end - 76
    if length > end:
        raise ArchiveUnreadable("its central directory is out of place")
    return end - length, length


def _walk(f: BinaryIO, start: int, length: int, limit: int) -> int:
    f.seek(start)
    count = walked = 0
    while walked < length:  # as zipfile does: entries until the directory's declared length
        header = f.read(ENTRY_HEADER)
        if len(header) < ENTRY_HEADER or header[:4] != ENTRY_SIGNATURE:
            raise ArchiveUnreadable("its central directory is damaged")
        variable = sum(struct.unpack_from("<3H", header, 28))  # name, extra field, comment
        f.seek(variable, 1)
        walked += ENTRY_HEADER + variable
        count += 1
        if count > limit:
            raise ArchiveRefused(
                f"this archive holds more than {limit:,} entries, more than any Office document"
            )
    return count


def read_capped(package: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """One part's bytes, refused if it inflates to more than `cap` (whatever it declares)."""
    return b"".join(_inflate(package, package.getinfo(name), cap))


def inflate_all(package: zipfile.ZipFile, archive_size: int, limits: ArchiveLimits) -> int:
    """Inflate every part in chunks, discarding them, within the limits; the bytes inflated."""
    total = 0
    for info in package.infolist():
        for chunk in _inflate(package, info, limits.entry, limits, archive_size):
            total += len(chunk)
            if total > limits.inflated:
                raise ArchiveRefused(
                    f"this archive expands to more than {_mb(limits.inflated)} when unpacked, "
                    "which is how decompression bombs look; the library does not accept it"
                )
    return total


def _inflate(
    package: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    cap: int,
    limits: ArchiveLimits | None = None,
    archive_size: int = 0,
) -> Iterator[bytes]:
    """The part in chunks; with `limits`, its inflation ratio is held to them too."""
    _readable(info)
    # zipfile never feeds zlib more than compress_size bytes, so a lie there only lowers the ratio.
    compressed = max(min(info.compress_size, archive_size), 1)
    inflated = 0
    try:
        with package.open(info) as part:
            while chunk := part.read(READ):
                inflated += len(chunk)
                _within(info.filename, inflated, compressed, cap, limits)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise ArchiveRefused(
            f"the archive is damaged or misstates its contents: its part {info.filename!r} does not "
            "match the size and checksum it declares"
        ) from None


def _within(name: str, inflated: int, compressed: int, cap: int, limits: ArchiveLimits | None) -> None:
    if inflated > cap:
        raise ArchiveRefused(f"this archive's part {name!r} expands to more than {_mb(cap)} when unpacked")
    if limits and inflated > limits.ratio_grace and inflated > limits.ratio * compressed:
        raise ArchiveRefused(
            f"this archive's part {name!r} expands to more than {limits.ratio} times its compressed "
            "size, which is how decompression bombs look; the library does not accept it"
        )


def _readable(info: zipfile.ZipInfo) -> None:
    if info.flag_bits & 0x1:
        raise ArchiveRefused(f"this archive's part {info.filename!r} is encrypted, so it cannot be checked")
    if info.compress_type not in METHODS:
        raise ArchiveRefused(
            f"this archive's part {info.filename!r} uses a compression method Office documents never use"
        )


def _mb(n: int) -> str:
    return f"{n / MB:g} MB" if n >= MB else f"{n / 1024:g} KB"
