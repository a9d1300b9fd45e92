"""Reading a spreadsheet into plain text cells: .xlsx (openpyxl) or .csv.

CSV files come from French office software as often as from anywhere else:
the separator is sniffed (« ; » or « , », tab too), the text is read as UTF-8
(with or without BOM), else as Windows-1252. Whatever is wrong with the file
(empty, binary, truncated workbook, unknown encoding…) becomes one French
:class:`UserError`, never another exception.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from desktop.errors import UserError

MAX_ROWS = 200_000
"""More data rows than this is certainly not a list of clients, domains or mailboxes."""

MAX_CELL_CHARS = 10_000
"""csv's own field limit (131 072) is raised to no more than needed; longer is refused."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "un document PDF"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"PK\x05\x06", "une archive ZIP vide"),
    (b"\x1f\x8b", "une archive compressée (gzip)"),
    (b"Rar!", "une archive RAR"),
    (b"7z\xbc\xaf", "une archive 7-Zip"),
    (b"{\\rtf", "un document RTF"),
)
_SEPARATORS = (";", ",", "\t")
_ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"))
# Control characters never found in a text spreadsheet (tab, CR and LF are fine).
_CONTROL = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\r\n") | {"\x7f"}

SUPPORTED = "un classeur Excel (.xlsx) ou un fichier CSV"


@dataclass(frozen=True)
class SheetRow:
    """One data row: its number in the spreadsheet (header = 1) and its cells as text."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    """The header cells and the non-empty data rows of a spreadsheet."""

    headers: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    header_row: int = 1


def load_bytes(source: Path | str | bytes, filename: str | None) -> tuple[bytes, str]:
    """The file's bytes and the name to show, reading ``source`` when it is a path."""
    if isinstance(source, bytes):
        return source, filename or "fichier"
    path = Path(source)
    name = filename or path.name
    try:
        return path.read_bytes(), name
    except FileNotFoundError:
        raise UserError(f"Le fichier {path} est introuvable.") from None
    except IsADirectoryError:
        raise UserError(f"{path} est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise UserError(f"Impossible de lire le fichier {path} : {exc.strerror or exc}.") from None


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The spreadsheet in ``data``: a workbook when it is a zip file, else CSV text."""
    if not data.strip():
        raise UserError(f"Le fichier « {filename} » est vide.")
    suffix = Path(filename).suffix.lower()
    if data.startswith(_ZIP_MAGIC):
        return read_xlsx(data, filename)
    if data.startswith(_OLE_MAGIC):
        raise UserError(
            f"« {filename} » est un classeur Excel 97-2003 (.xls), qui n'est pas pris en "
            "charge : enregistrez-le au format .xlsx ou CSV, puis importez-le à nouveau."
        )
    for magic, what in _BINARY_MAGICS:
        if data.startswith(magic):
            raise UserError(f"« {filename} » est {what}, pas un tableau : importez {SUPPORTED}.")
    if suffix in {".xlsx", ".xlsm"}:
        raise UserError(_broken_workbook(filename))
    return read_csv(data, filename)


# --- CSV --------------------------------------------------------------------------------


def decode_text(data: bytes, filename: str) -> str:
    """The text of a CSV file: UTF-8 (BOM or not), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(
            f"« {filename} » est encodé en UTF-16 (« Texte Unicode ») : enregistrez-le en "
            "CSV UTF-8 (ou « CSV (séparateur : point-virgule) » d'Excel), puis importez-le."
        )
    if b"\x00" in data:
        raise UserError(_not_text(filename))
    for encoding, _label in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(char in _CONTROL for char in text):
            raise UserError(_not_text(filename))
        return text
    raise UserError(
        f"L'encodage de « {filename} » n'est pas reconnu : enregistrez le fichier en CSV "
        "UTF-8 (ou Windows-1252, « CSV (séparateur : point-virgule) » d'Excel)."
    )


def sniff_separator(text: str) -> str:
    """The separator of the header line: the most frequent of « ; », « , » and tab."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ";"


def read_csv(data: bytes, filename: str) -> Sheet:
    """A CSV file's rows; the separator is sniffed from the header line."""
    text = decode_text(data, filename)
    separator = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        return _sheet(filename, _csv_rows(reader))
    except csv.Error as exc:
        raise UserError(
            f"« {filename} » n'est pas un fichier CSV lisible (ligne {reader.line_num}) : "
            f"{_csv_reason(exc)}."
        ) from None


def _csv_rows(reader: Iterable[list[str]]) -> Iterator[tuple[int, tuple[str, ...]]]:
    for number, cells in enumerate(reader, start=1):
        if any(len(cell) > MAX_CELL_CHARS for cell in cells):
            raise csv.Error("field larger than field limit")
        yield number, tuple(cells)


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger" in text:
        return f"une cellule dépasse {MAX_CELL_CHARS} caractères"
    if "EOF" in text or "newline" in text:
        return "un guillemet ouvert n'est jamais fermé"
    return "sa structure est invalide"


def _not_text(filename: str) -> str:
    return (
        f"« {filename} » ne contient pas de texte lisible : ce n'est ni un classeur Excel "
        f"(.xlsx) ni un fichier CSV. Importez {SUPPORTED}."
    )


# --- xlsx -------------------------------------------------------------------------------


def _broken_workbook(filename: str) -> str:
    return (
        f"Le classeur « {filename} » est illisible : il est tronqué ou endommagé. "
        "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le à nouveau au format .xlsx, "
        "puis importez-le."
    )


def read_xlsx(data: bytes, filename: str) -> Sheet:
    """The first worksheet of a workbook, cells as text (values, not formulas)."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        with warnings.catch_warnings():  # unsupported extensions, default styles…
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise UserError(_broken_workbook(filename)) from None
    except Exception:  # noqa: BLE001 - openpyxl raises anything on a foreign zip
        raise UserError(
            f"« {filename} » n'est pas un classeur Excel (.xlsx) lisible : importez {SUPPORTED}."
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise UserError(f"Le classeur « {filename} » ne contient aucune feuille.")
        rows = (
            (number, tuple(cell_text(value) for value in values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _sheet(filename, rows)
    except UserError:
        raise
    except Exception:  # noqa: BLE001 - a truncated part fails only when read
        raise UserError(_broken_workbook(filename)) from None
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A cell's value as the text a user would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | Decimal | int | float):
        return str(value)
    return str(value)


# --- shared -----------------------------------------------------------------------------


def _sheet(filename: str, rows: Iterable[tuple[int, tuple[str, ...]]]) -> Sheet:
    """The first non-empty row is the header; empty rows after it are skipped."""
    headers: tuple[str, ...] | None = None
    header_row = 1
    data: list[SheetRow] = []
    for number, cells in rows:
        stripped = tuple(cell.strip() for cell in cells)
        if not any(stripped):
            continue
        if headers is None:
            headers, header_row = stripped, number
            continue
        if len(data) >= MAX_ROWS:
            raise UserError(
                f"« {filename} » a plus de {MAX_ROWS} lignes : découpez-le en plusieurs fichiers."
            )
        data.append(SheetRow(number, stripped))
    if headers is None:
        raise UserError(f"Le fichier « {filename} » est vide.")
    while headers and not headers[-1]:
        headers = headers[:-1]
    return Sheet(headers, tuple(data), header_row)
