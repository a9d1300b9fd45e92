"""The streamed Excel tables, read back with openpyxl: values, types, formats, layout."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from desktop.documents.xlsx import (
    HEADER_ROW,
    CellType,
    ExportCancelled,
    XlsxColumn,
    sheet_name,
    write_table,
    write_workbook_bytes,
)
from desktop.errors import UserError

COLUMNS = (
    XlsxColumn("Nom", width=30),
    XlsxColumn("Nombre", CellType.INT),
    XlsxColumn("Valeur", CellType.DECIMAL),
    XlsxColumn("Montant", CellType.MONEY),
    XlsxColumn("Taux", CellType.PERCENT),
    XlsxColumn("Date", CellType.DATE),
    XlsxColumn("Moment", CellType.DATETIME),
    XlsxColumn("Actif", CellType.BOOL),
)
ROW = (
    "Acme",
    42,
    Decimal("1.5"),
    Decimal("1234.56"),
    Decimal("0.985"),
    date(2026, 3, 1),
    datetime(2026, 7, 2, 8, 30, tzinfo=UTC),  # 10:30 in Paris (summer time)
    True,
)


def read(rows: Sequence[Sequence[object]], columns: Sequence[XlsxColumn] = COLUMNS) -> Any:
    data = write_workbook_bytes(
        sheet="Essai", title="Titre", note="Exporté le …", columns=columns, rows=rows
    )
    return load_workbook(BytesIO(data)).active


def data_row(sheet: Any, index: int = 0) -> list[Any]:
    return list(sheet[HEADER_ROW + 1 + index])


def test_title_note_header_freeze_filter_and_widths() -> None:
    sheet = read([ROW, ROW])
    assert sheet.title == "Essai"
    assert sheet["A1"].value == "Titre" and sheet["A1"].font.bold
    assert sheet["A2"].value == "Exporté le …"
    header = list(sheet[HEADER_ROW])
    assert [cell.value for cell in header] == [column.title for column in COLUMNS]
    assert all(cell.font.bold and cell.fill.fgColor.rgb.endswith("1F4E79") for cell in header)
    assert all(cell.border.bottom.style == "thin" for cell in header)
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:H{HEADER_ROW + 2}"
    assert sheet.column_dimensions["A"].width == 30
    assert sheet.column_dimensions["G"].width >= 16  # a date and time fits
    assert sheet.column_dimensions["B"].width >= len("Nombre")


def test_typed_values_and_number_formats() -> None:
    cells = data_row(read([ROW]))
    name, count, value, amount, rate, day, moment, active = cells
    assert (name.value, name.data_type) == ("Acme", "s")
    assert (count.value, count.data_type, count.number_format) == (42, "n", "0")
    assert (value.value, value.number_format) == (1.5, "#,##0.00")
    assert (amount.value, amount.data_type) == (1234.56, "n")
    assert amount.number_format == "#,##0.00 €"
    assert (rate.value, rate.number_format) == (0.985, "0.00 %")
    assert (day.value.date(), day.number_format) == (date(2026, 3, 1), "dd/mm/yyyy")
    assert day.is_date and day.value.hour == 0
    assert moment.number_format == "dd/mm/yyyy hh:mm"
    assert moment.value.tzinfo is None  # Paris wall-clock time: Excel has no time zones
    assert moment.value.timetuple()[:5] == (2026, 7, 2, 10, 30)
    assert (active.value, active.data_type) == ("Oui", "s")


def test_none_is_an_empty_cell_and_false_is_non() -> None:
    cells = data_row(read([("x", None, None, None, None, None, None, False)]))
    assert [cell.value for cell in cells[1:7]] == [None] * 6
    assert cells[7].value == "Non"


def test_formula_like_text_stays_text() -> None:
    texts = ['=HYPERLINK("x")', "+33 6 12 34 56 78", "-5", "@SUM(A1)", "\tTab", "\rRetour"]
    sheet = read([(text,) for text in texts], [XlsxColumn("Texte")])
    for index, text in enumerate(texts):
        (cell,) = data_row(sheet, index)
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix


def test_plain_text_numbers_and_odd_characters() -> None:
    rows = [("007",), (" espace ",), ("a < b & c > d",), ("bip\x07\uffff",), (12,)]
    sheet = read(rows, [XlsxColumn("Texte")])
    values = [data_row(sheet, index)[0] for index in range(len(rows))]
    assert [cell.value for cell in values] == ["007", " espace ", "a < b & c > d", "bip", "12"]
    assert all(cell.data_type == "s" and not cell.quotePrefix for cell in values)


def test_an_empty_table_keeps_its_header_and_filter() -> None:
    sheet = read([])
    assert sheet.max_row == HEADER_ROW
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:H{HEADER_ROW + 1}"


def test_sheet_names_are_made_valid() -> None:
    assert sheet_name("Boîtes / aux : lettres [2026]") == "Boîtes   aux   lettres  2026"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("") == "Feuille"


def test_writing_to_a_path_counts_rows_and_reports_progress(tmp_path: Path) -> None:
    target = tmp_path / "table.xlsx"
    seen: list[int] = []
    count = write_table(
        target,
        sheet="Essai",
        title="Titre",
        note="Note",
        columns=COLUMNS,
        rows=(ROW for _ in range(2500)),
        progress=seen.append,
    )
    assert count == 2500
    assert seen == [1000, 2000, 2500]
    assert load_workbook(target).active.max_row == HEADER_ROW + 2500
    assert [path.name for path in tmp_path.iterdir()] == ["table.xlsx"]


def test_cancelling_leaves_no_file_nor_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "table.xlsx"
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked >= 2

    with pytest.raises(ExportCancelled) as caught:
        write_table(
            target,
            sheet="Essai",
            title="Titre",
            note="Note",
            columns=COLUMNS,
            rows=(ROW for _ in range(5000)),
            cancelled=cancelled,
        )
    assert isinstance(caught.value, UserError)
    assert caught.value.message == "Export annulé : aucun fichier écrit."
    assert list(tmp_path.iterdir()) == []


def test_a_failing_source_leaves_the_old_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "table.xlsx"
    target.write_bytes(b"ancien")

    def rows() -> Iterator[tuple[object, ...]]:
        yield ROW
        raise UserError("La base ne répond plus.")

    with pytest.raises(UserError):
        write_table(target, sheet="E", title="T", note="N", columns=COLUMNS, rows=rows())
    assert target.read_bytes() == b"ancien"
    assert [path.name for path in tmp_path.iterdir()] == ["table.xlsx"]


def test_a_missing_folder_is_a_french_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Dossier introuvable"):
        write_table(
            tmp_path / "absent" / "t.xlsx", sheet="E", title="T", note="N", columns=[], rows=[]
        )
