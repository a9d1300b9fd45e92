"""Excel tables written as a stream (openpyxl write-only mode, lxml serialisation).

One sheet per workbook: a bold title in row 1, a note in row 2 (when and with which
filter the table was exported), the styled header in row 4 (bold, filled, bordered),
frozen panes under it, an autofilter over the header and the data, column widths.

Cells are typed so that the office can sort and sum them:

* ``MONEY``: a number (``Decimal`` kept as is) shown ``#,##0.00 €``;
* ``PERCENT``: a *fraction* (0.985 for 98.5 %) shown ``0.00 %`` — callers divide by 100;
* ``DATE`` ``dd/mm/yyyy``; ``DATETIME`` ``dd/mm/yyyy hh:mm`` in Paris time (Excel has no
  time zones: an aware datetime is converted to Europe/Paris, then made naive);
* ``BOOL``: « Oui » / « Non »; ``None`` in any column: an empty cell;
* ``TEXT``: always a string cell. Text that a spreadsheet would run as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is stored as a
  string with Excel's quote prefix: shown as typed, never evaluated.

Rows are read from an iterable and written one by one: memory does not grow with
the table. :func:`write_table` to a path writes a temporary file in the same folder
and renames it at the end, so a cancelled or failed export leaves no half file.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

# openpyxl ships no type hints (no stubs among the dependencies).
from openpyxl import LXML, Workbook  # type: ignore[import-untyped]
from openpyxl.cell import Cell, WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.compat import safe_string  # type: ignore[import-untyped]
from openpyxl.styles import (  # type: ignore[import-untyped]
    Alignment,
    Border,
    Font,
    PatternFill,
    Side,
)
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.datetime import to_excel  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]
from openpyxl.worksheet._writer import WorksheetWriter  # type: ignore[import-untyped]
from openpyxl.xml.constants import SHEET_MAIN_NS  # type: ignore[import-untyped]
from openpyxl.xml.functions import xmlfile  # type: ignore[import-untyped]

from desktop.domain.clock import PARIS
from desktop.errors import UserError

HEADER_ROW = 4
"""The header's row number: under the title, the note and one blank row."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read text as a formula."""

PROGRESS_EVERY = 1000
"""Rows written between two calls of ``progress`` and ``cancelled``."""

MAX_SHEET_NAME = 31
"""Excel's limit on a sheet name."""

MAX_TEXT = 32767
"""Excel's limit on the length of a cell's text."""

MAX_WIDTH = 60.0
"""Widest column, in characters, when the width comes from the title."""


class CellType(Enum):
    """How a column's values are written and shown."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"


NUMBER_FORMATS: dict[CellType, str] = {
    CellType.INT: "0",
    CellType.DECIMAL: "#,##0.00",
    CellType.MONEY: "#,##0.00 €",
    CellType.PERCENT: "0.00 %",
    CellType.DATE: "dd/mm/yyyy",
    CellType.DATETIME: "dd/mm/yyyy hh:mm",
}
"""The number format of each typed column; text and yes/no columns have none."""

_DEFAULT_WIDTHS: dict[CellType, float] = {
    CellType.TEXT: 18,
    CellType.INT: 10,
    CellType.DECIMAL: 12,
    CellType.MONEY: 14,
    CellType.PERCENT: 10,
    CellType.DATE: 12,
    CellType.DATETIME: 17,
    CellType.BOOL: 8,
}


@dataclass(frozen=True)
class XlsxColumn:
    """One column: its French title, the type of its values and its width.

    ``width`` is in characters; None: from the title and the type.
    ``number_format`` overrides the type's format (e.g. ``0.000 %``).
    """

    title: str
    type: CellType = CellType.TEXT
    width: float | None = None
    number_format: str | None = None

    @property
    def format(self) -> str | None:
        """The number format of the column's cells; None for plain text."""
        return self.number_format or NUMBER_FORMATS.get(self.type)

    @property
    def chars(self) -> float:
        """The column's width in characters."""
        if self.width is not None:
            return self.width
        return min(max(len(self.title) + 3, _DEFAULT_WIDTHS[self.type]), MAX_WIDTH)


class ExportCancelled(UserError):
    """The user cancelled an export: nothing was written."""

    def __init__(self) -> None:
        super().__init__("Export annulé : aucun fichier écrit.")


TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_THIN = Side(style="thin", color="808080")
HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)

_FORMULA_CHARS = frozenset(FORMULA_STARTS)
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]|[\ufffe\uffff]")

Converter = Callable[[Any], Any]
"""A value of the caller's row → what the write-only sheet appends (value or cell)."""


def write_table(
    target: BinaryIO | Path,
    *,
    sheet: str,
    title: str,
    note: str,
    columns: Sequence[XlsxColumn],
    rows: Iterable[Sequence[object]],
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    total: int | None = None,
    header_row: int = HEADER_ROW,
) -> int:
    """Write the table as an .xlsx workbook to ``target``; the number of data rows.

    ``progress(rows_written)`` is called every :data:`PROGRESS_EVERY` rows and at the
    end; ``cancelled()`` is asked as often and, when true, :class:`ExportCancelled` is
    raised. A path is written atomically (temporary file, then rename): on any error
    or cancellation no file is left. ``total``, when known, sizes the autofilter
    before the rows are there (it is fixed to the real count anyway).
    ``header_row`` (≥ 3) moves the header down or up (3: no blank row).
    """
    if isinstance(target, Path):
        with atomic_target(target) as stream:
            return write_table(
                stream,
                sheet=sheet,
                title=title,
                note=note,
                columns=columns,
                rows=rows,
                progress=progress,
                cancelled=cancelled,
                total=total,
                header_row=header_row,
            )
    workbook = Workbook(write_only=True)
    if LXML:
        worksheet = StreamSheet(workbook, sheet_name(sheet))
    else:  # pragma: no cover - lxml is a dependency; openpyxl's own rows then
        worksheet = workbook.create_sheet(sheet_name(sheet))
    try:
        count = _write_sheet(
            worksheet, title, note, columns, rows, progress, cancelled, total, header_row
        )
    except BaseException:
        _discard(worksheet)
        raise
    workbook.save(target)
    return count


def write_workbook_bytes(
    *,
    sheet: str,
    title: str,
    note: str,
    columns: Sequence[XlsxColumn],
    rows: Iterable[Sequence[object]],
    header_row: int = HEADER_ROW,
) -> bytes:
    """The same table as the bytes of an .xlsx file (small reports)."""
    output = BytesIO()
    write_table(
        output,
        sheet=sheet,
        title=title,
        note=note,
        columns=columns,
        rows=rows,
        header_row=header_row,
    )
    return output.getvalue()


def sheet_name(text: str) -> str:
    """A valid sheet name: no ``[]:*?/\\``, at most 31 characters, never empty."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", text).strip().strip("'")
    return cleaned[:MAX_SHEET_NAME] or "Feuille"


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[BinaryIO]:
    """A binary stream that becomes ``path`` only if the block ends without error.

    The data goes to a hidden temporary file in the same folder, renamed over
    ``path`` at the end; on any exception it is removed and ``path`` is untouched.
    """
    target = path.expanduser().absolute()
    if not target.parent.is_dir():
        raise UserError(f"Dossier introuvable : {target.parent}")
    if target.is_dir():
        raise UserError(f"{target} est un dossier : indiquez le nom du fichier à écrire.")
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with os.fdopen(handle, "w+b") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600): give it an ordinary file's mode.
        os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise _write_error(target, exc) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_error(target: Path, exc: OSError) -> UserError:
    return UserError(f"Impossible d'écrire {target} : {exc.strerror or exc}.")


# --- the sheet --------------------------------------------------------------------------


def _write_sheet(
    sheet: WriteOnlyWorksheet,
    title: str,
    note: str,
    columns: Sequence[XlsxColumn],
    rows: Iterable[Sequence[object]],
    progress: Callable[[int], None] | None,
    cancelled: Callable[[], bool] | None,
    total: int | None,
    header_row: int,
) -> int:
    """Layout, title, note, header and data rows; the number of data rows."""
    if header_row < 3:
        raise ValueError("the header goes under the title and the note")
    _layout(sheet, columns, header_row)
    sheet.append([styled_text(sheet, title, font=TITLE_FONT)])
    sheet.append([styled_text(sheet, note, font=NOTE_FONT)])
    for _ in range(header_row - 3):
        sheet.append([])
    sheet.append([header_cell(sheet, column.title) for column in columns])
    _set_filter(sheet, len(columns), header_row, total or 0)
    count = _write_rows(sheet, columns, rows, progress, cancelled)
    _set_filter(sheet, len(columns), header_row, count)
    return count


def _layout(sheet: WriteOnlyWorksheet, columns: Sequence[XlsxColumn], header_row: int) -> None:
    """Widths and frozen header: set before any row in write-only mode."""
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.chars
    sheet.freeze_panes = f"A{header_row + 1}"


def _set_filter(sheet: WriteOnlyWorksheet, width: int, header_row: int, count: int) -> None:
    """The autofilter over the header and the data (written after the rows)."""
    last = get_column_letter(max(width, 1))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(count, 1)}"


def _write_rows(
    sheet: WriteOnlyWorksheet,
    columns: Sequence[XlsxColumn],
    rows: Iterable[Sequence[object]],
    progress: Callable[[int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> int:
    converters = [converter(sheet, column) for column in columns]
    pairs = list(enumerate(converters))
    append = sheet.append
    count = 0
    for row in rows:
        append([convert(row[index]) for index, convert in pairs])
        count += 1
        if count % PROGRESS_EVERY == 0:
            if cancelled is not None and cancelled():
                raise ExportCancelled()
            if progress is not None:
                progress(count)
    if cancelled is not None and cancelled():
        raise ExportCancelled()
    if progress is not None:
        progress(count)
    return count


def _discard(sheet: WriteOnlyWorksheet) -> None:
    """Close the sheet's stream after an error and remove its temporary file."""
    writer = sheet._writer
    if writer is None:
        return
    with contextlib.suppress(Exception):
        if sheet._rows is not None:
            sheet._rows.close()
        writer.close()
    with contextlib.suppress(Exception):
        writer.cleanup()


# --- fast rows --------------------------------------------------------------------------


class StreamSheet(WriteOnlyWorksheet):  # type: ignore[misc]
    """A write-only sheet whose rows are written as XML text, a batch at a time.

    openpyxl's write-only sheet turns every value into a cell object and writes it
    with a few nested lxml ``xmlfile`` contexts (about 20 µs a cell); this sheet
    takes the appended values as they are — plain ``str``/``int``/``float``/
    ``Decimal`` values, or cells for anything styled — builds each ``<row>``'s XML
    text at once (escaped as lxml would) and writes the rows straight into the
    sheet's stream between two flushes of lxml's writer, several times faster.
    The rest of the sheet (views, columns, autofilter…) and the workbook are
    openpyxl's; styled cells get their style index from the workbook as usual.
    """

    _writer: Any = None

    def __init__(self, workbook: Workbook, title: str) -> None:
        super().__init__(workbook, title)
        workbook._add_sheet(self)

    def _get_writer(self) -> None:
        if self._writer is None:
            writer = _RowWriter(self)
            writer.write_top()
            self._writer = writer

    def _values_to_row(self, values: Sequence[object], row_idx: int) -> Sequence[object]:
        return values  # written by _RowWriter.write_row

    def close(self) -> None:
        if self._writer is not None:
            self._writer.flush_rows()  # before openpyxl closes <sheetData>
        super().close()


class _RowWriter(WorksheetWriter):  # type: ignore[misc]
    BATCH = 500
    """Rows kept as text before they are written to the file."""

    def __init__(self, sheet: StreamSheet) -> None:
        self._file: BinaryIO | None = None
        self._xf: Any = None
        self._pending: list[str] = []
        super().__init__(sheet)
        self._epoch = sheet.parent.epoch
        self._letters: list[str] = [""]

    def get_stream(self) -> Iterator[Any]:
        """openpyxl's stream of the sheet's XML, on a file this writer can also write to."""
        with open(self.out, "wb") as file, xmlfile(file) as xf:
            self._file = file
            with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:
                        element = yield
                        if element is True:
                            yield xf
                        elif element is not None:
                            xf.write(element)
                except GeneratorExit:
                    pass

    def flush_rows(self) -> None:
        """Write the pending rows after what lxml has written so far."""
        if not self._pending or self._file is None:
            return
        self._xf.flush()
        self._file.write("".join(self._pending).encode("utf-8"))
        self._pending.clear()

    def write_row(self, xf: Any, row: Sequence[object], row_idx: int) -> None:
        self._xf = xf
        letters = self._letters
        while len(letters) <= len(row):
            letters.append(get_column_letter(len(letters)))
        number = str(row_idx)
        parts = [f'<row r="{number}">']
        for col_idx, value in enumerate(row, 1):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                parts.append(_string(letters[col_idx] + number, "", value))  # type: ignore[arg-type]
            elif kind is int:
                parts.append(f'<c r="{letters[col_idx]}{number}" t="n"><v>{value}</v></c>')
            elif kind is float or kind is Decimal:
                text = safe_string(value)
                parts.append(f'<c r="{letters[col_idx]}{number}" t="n"><v>{text}</v></c>')
            elif isinstance(value, Cell):
                parts.append(self._cell(letters[col_idx] + number, value))
            else:
                raise TypeError(f"cannot write {kind.__name__} values")
        parts.append("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= self.BATCH:
            self.flush_rows()

    def _cell(self, ref: str, cell: Cell) -> str:
        """A cell object: its style index, then its value as a string, number or date."""
        style = f' s="{cell.style_id}"' if cell.has_style else ""
        value = cell._value
        if cell.data_type == "s":
            if value is None or value == "":
                return f'<c r="{ref}"{style}/>'
            return _string(ref, style, value)
        if value is None:
            return f'<c r="{ref}"{style} t="n"/>'
        if cell.data_type == "d":
            value = to_excel(value, self._epoch)
        return f'<c r="{ref}"{style} t="n"><v>{safe_string(value)}</v></c>'


def _string(ref: str, style: str, text: str) -> str:
    """An inline string cell (no shared strings table to keep in memory)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in escaped:
        escaped = escaped.replace("\r", "&#13;")
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


# --- cells ------------------------------------------------------------------------------


def text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """A string cell, never a formula, whatever the text starts with.

    Control characters a workbook cannot hold (other than tab and line breaks) are
    dropped.
    """
    text = _ILLEGAL.sub("", text)[:MAX_TEXT]
    cell = WriteOnlyCell(sheet)
    cell._value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def styled_text(sheet: WriteOnlyWorksheet, text: str, *, font: Font) -> WriteOnlyCell:
    """A text cell in ``font`` (title, note)."""
    cell = text_cell(sheet, text)
    cell.font = font
    return cell


def header_cell(sheet: WriteOnlyWorksheet, title: str) -> WriteOnlyCell:
    """A header cell: bold white on dark blue, bordered, centred, wrapped."""
    cell = text_cell(sheet, title)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.border = HEADER_BORDER
    cell.alignment = HEADER_ALIGNMENT
    return cell


def converter(sheet: WriteOnlyWorksheet, column: XlsxColumn) -> Converter:
    """How the column's values become cells.

    Plain text and numbers without a format go as values (openpyxl's fastest path);
    formatted values reuse one styled cell per column: the sheet writes each row as
    soon as it is appended, so the cell is free again for the next row.
    """
    if column.type is CellType.TEXT:
        return _text_converter(sheet)
    if column.type is CellType.BOOL:
        return _bool_value
    template = WriteOnlyCell(sheet)
    template.number_format = column.format
    if column.type is CellType.DATETIME:
        return _typed(template, "d", _naive_paris)
    if column.type is CellType.DATE:
        return _typed(template, "d", _date)
    return _typed(template, "n", _number)


def _text_converter(sheet: WriteOnlyWorksheet) -> Converter:
    def convert(value: object) -> object:
        if value is None:
            return None
        text = value if type(value) is str else str(value)
        if not text.isprintable():  # rare: tabs, line breaks, control characters
            text = _ILLEGAL.sub("", text)
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT]
        if text and text[0] in _FORMULA_CHARS:
            return text_cell(sheet, text)
        return text

    return convert


def _bool_value(value: object) -> str | None:
    if value is None:
        return None
    return "Oui" if value else "Non"


def _typed(template: WriteOnlyCell, data_type: str, clean: Callable[[Any], Any]) -> Converter:
    """Values written through ``template`` (``data_type`` 'n' number or 'd' date)."""

    def convert(value: object) -> object:
        if value is None:
            return None
        template._value = clean(value)
        return template

    template.data_type = data_type
    return convert


def _number(value: object) -> int | float | Decimal:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return int(value)
    return Decimal(str(value))


def _date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _naive_paris(value: datetime) -> datetime:
    """Excel has no time zones: an aware instant as the wall-clock time in Paris."""
    if value.tzinfo is None:
        return value
    return value.astimezone(PARIS).replace(tzinfo=None)
