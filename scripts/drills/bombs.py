"""Uploads as an attacker builds them: ZIP archives written byte by byte, so a part can
declare any size it likes, alongside genuine small Word, Excel and PowerPoint files.

A run of zeros is deflated once per mebibyte with a full flush, which makes every
mebibyte's deflate output identical: a 1.5 GB bomb is then 1,500 copies of a 1 KB
block, built in well under a second instead of deflating 1.5 GB.
"""

from __future__ import annotations

import bz2
import random
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

MB = 2**20
OOXML = "application/vnd.openxmlformats-officedocument."
MAIN = {
    "docx": ("word/document.xml", f"{OOXML}wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", f"{OOXML}spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", f"{OOXML}presentationml.presentation.main+xml"),
}
WORD_MACROS = "application/vnd.ms-word.document.macroEnabled.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
NS = "http://schemas.openxmlformats.org"
BODIES = {
    "docx": f'<w:document xmlns:w="{NS}/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Weigh in kg'
    "</w:t></w:r></w:p></w:body></w:document>",
    "xlsx": f'<workbook xmlns="{NS}/spreadsheetml/2006/main"><sheets/></workbook>',
    "pptx": f'<p:presentation xmlns:p="{NS}/presentationml/2006/main"/>',
}


@dataclass(frozen=True)
class Part:
    """One archive entry: its stored bytes, and the size and checksum it declares."""

    name: str
    payload: bytes  # as stored: compressed by `method` (raw deflate data by default)
    crc: int
    size: int  # the inflated size the headers declare (a lie if it differs from the truth)
    method: int = 8  # 0 stored, 8 deflated, 12 bzip2


def stored(name: str, data: bytes) -> Part:
    return Part(name, data, zlib.crc32(data), len(data), method=0)


def deflated(name: str, data: bytes) -> Part:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Part(name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


def content_types(part: str, main: str) -> bytes:
    """A [Content_Types].xml declaring `main` as the type of the main part, `part`."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
        '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main}"/></Types>'
    ).encode()


def office_parts(kind: str = "docx", main_type: str | None = None) -> list[Part]:
    """The parts of a genuine minimal Word, Excel or PowerPoint file."""
    part, main = MAIN[kind]
    rels = (
        f'<?xml version="1.0"?><Relationships xmlns="{NS}/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{NS}/officeDocument/2006/relationships/officeDocument" Target="{part}"/>'
        "</Relationships>"
    )
    types = content_types(part, main_type or main)
    return [deflated("[Content_Types].xml", types), deflated("_rels/.rels", rels.encode()),
            deflated(part, BODIES[kind].encode())]  # fmt: skip


def office_file(kind: str = "docx") -> bytes:
    """A genuine small .docx, .xlsx or .pptx."""
    return archive(office_parts(kind))


# Bombs --------------------------------------------------------------------------------


@cache
def _zero_block() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(bytes(MB)) + packer.flush(zlib.Z_FULL_FLUSH)


def zeros(name: str, megabytes: int, prefix: bytes = b"", declared: int | None = None) -> Part:
    """`prefix` then `megabytes` MB of zeros, deflated; declaring `declared` bytes if given."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH) if prefix else b""
    crc = zlib.crc32(prefix)
    for _ in range(megabytes):
        crc = zlib.crc32(bytes(MB), crc)
    payload = start + _zero_block() * megabytes + b"\x03\x00"  # an empty final block ends the stream
    size = len(prefix) + megabytes * MB
    return Part(name, payload, crc, size if declared is None else declared)


@cache
def lying_bomb(megabytes: int, claimed: int = 1000) -> bytes:
    """The issue's bomb: a .docx whose [Content_Types].xml claims `claimed` bytes but inflates to
    `megabytes` MB (1,500 MB is a 1.5 MB file)."""
    genuine = office_parts("docx")
    types = inflated_text(genuine[0])
    return archive([zeros("[Content_Types].xml", megabytes, types, declared=claimed), *genuine[1:]])


def inflated_text(part: Part) -> bytes:
    """What a deflated Part holds."""
    return zlib.decompress(part.payload, -15)


@cache
def honest_bomb(megabytes: int) -> bytes:
    """A .docx with a part that truly declares and inflates to `megabytes` MB of zeros."""
    return archive([*office_parts("docx"), zeros("word/media/image1.png", megabytes)])


def wide_bomb(parts: int, ratio: int = 50) -> bytes:
    """A .docx of `parts` 1 MB parts each inflating `ratio` to 1: under any per-part ratio cap,
    over a cap on the whole."""
    noise = random.Random(ratio).randbytes(MB // ratio)  # incompressible, so the ratio is as asked
    filler = deflated("x", noise + bytes(MB - len(noise)))
    extra = (Part(f"word/media/image{i}.png", filler.payload, filler.crc, filler.size) for i in range(parts))
    return archive([*office_parts("docx"), *extra])


def many_entries(count: int) -> bytes:
    """A .docx followed by `count` empty entries (the end record declares at most 65,535)."""
    empty = (stored(f"e{i:x}", b"") for i in range(count))
    return archive([*office_parts("docx"), *empty])


def zip_in_zip(megabytes: int) -> bytes:
    """An ordinary ZIP holding the lying bomb."""
    return archive([stored("policy.docx", lying_bomb(megabytes))])


def bzip2_part() -> bytes:
    """A .docx with a bzip2 part: zipfile inflates bzip2 with no limit on the output."""
    data = bytes(8 * MB)
    return archive([*office_parts("docx"), Part("word/media/a.bin", bz2.compress(data), zlib.crc32(data),
                                                len(data), method=12)])  # fmt: skip


# Macros -------------------------------------------------------------------------------


def with_vba_part(kind: str = "docx", name: str = "word/vbaProject.bin") -> bytes:
    """An Office file with a VBA project part, but a plain (non-macro) main content type."""
    return archive([*office_parts(kind), stored(name, b"\xcc\x61" + bytes(64))])


def declaring_vba() -> bytes:
    """A .docx whose content types declare a VBA project (and no such part)."""
    parts = office_parts("docx")
    types = inflated_text(parts[0]).replace(
        b"</Types>", f'<Override PartName="/word/x.bin" ContentType="{VBA_TYPE}"/></Types>'.encode()
    )
    return archive([deflated("[Content_Types].xml", types), *parts[1:]])


def macro_enabled() -> bytes:
    """A .docm: the main part is of the macro-enabled Word type."""
    return archive(office_parts("docx", WORD_MACROS))


def legacy_with_macros() -> bytes:
    """A Word 97 compound file whose directory holds a VBA project."""
    names = ("WordDocument", "Macros", "_VBA_PROJECT")
    return bytes.fromhex("d0cf11e0a1b11ae1") + bytes(500) + b"".join(n.encode("utf-16-le") for n in names)


# Writing ------------------------------------------------------------------------------

LOCAL = struct.Struct("<4s5H3L2H")
CENTRAL = struct.Struct("<4s6H3L5H2L")
END = struct.Struct("<4s4H2LH")
DATE = (1 << 5) | 1  # 1980-01-01


def archive(parts: Iterable[Part]) -> bytes:
    """The ZIP archive of `parts`, headers declaring exactly what each Part says."""
    body, directory, count = bytearray(), bytearray(), 0
    for part in parts:
        name, method = part.name.encode(), part.method
        sizes = (part.crc, len(part.payload), part.size)
        directory += CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, method, 0, DATE, *sizes, len(name), 0, 0, 0, 0, 0,
                                  len(body)) + name  # fmt: skip
        body += LOCAL.pack(b"PK\x03\x04", 20, 0, method, 0, DATE, *sizes, len(name), 0) + name + part.payload
        count += 1
    total = min(count, 0xFFFF)
    return bytes(body + directory + END.pack(b"PK\x05\x06", 0, 0, total, total, len(directory), len(body), 0))
