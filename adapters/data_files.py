"""The rows of a file a person uploads: a spreadsheet's (.xlsx, its first sheet) or a
CSV's (comma, semicolon or tab separated, as Excel saves it), within limits a file of
months never needs; a file that cannot be read is refused in words. Shared by the page upload
(adapters.web.data_forms) and the API import (adapters.http.routers.data); and the CSV the
exports write (csv_text)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

MAX_FILE_BYTES = 2 * 2**20  # years of months of every measure fit in a few kilobytes
MAX_UNPACKED_BYTES = 20 * 2**20  # a spreadsheet is a zip: what it may unpack to
MAX_ROWS = 500


class FileRefused(Exception):
    """The file as a whole cannot be read as months of data: what is wrong, in words."""


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """The file's rows as cells: a spreadsheet's first sheet, or a CSV's lines."""
    if len(content) > MAX_FILE_BYTES:
        raise FileRefused(
            f"The file is larger than {MAX_FILE_BYTES // 2**20} MB: upload at most {MAX_ROWS} months at a time."
        )
    if not content.strip():
        raise FileRefused("The file is empty.")
    lower = filename.lower()
    if lower.endswith((".xls", ".ods", ".numbers")):
        raise FileRefused("Save the spreadsheet as .xlsx (Excel) or as CSV, then upload that.")
    if lower.endswith(".xlsx") or content.startswith(b"PK\x03\x04"):
        return _spreadsheet(content)
    return _csv(content)


def _csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # what Excel on Windows saves
    if "\x00" in text:
        raise FileRefused("The file is not text: upload a CSV or an .xlsx spreadsheet.")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(_capped(csv.reader(io.StringIO(text), dialect)))


def _spreadsheet(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # only an upload of a spreadsheet needs it

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise FileRefused(
                "The spreadsheet holds more than its months of data: save only them, as .xlsx or CSV."
            )
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return list(_capped(list(row) for row in book.worksheets[0].iter_rows(values_only=True)))
        finally:
            book.close()
    except FileRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise FileRefused(
            "The file could not be read as an .xlsx spreadsheet: save it again as .xlsx or CSV."
        ) from None


def _capped(rows: Iterable[list[Any]]) -> Iterable[list[Any]]:
    for number, row in enumerate(rows):
        if number > MAX_ROWS:
            raise FileRefused(
                f"The file has more than {MAX_ROWS} rows: upload at most {MAX_ROWS} months at a time."
            )
        yield row


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV export: the header row, then the rows; nothing as an empty cell, a whole number
    without its ".0"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
