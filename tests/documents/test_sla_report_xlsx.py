"""The availability report workbook, read back with openpyxl."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook  # type: ignore[import-untyped]

from desktop.documents.sla_report_xlsx import sla_report_workbook
from desktop.services.sla import SlaRow

D = Decimal
MARCH = date(2026, 3, 1)


def row(name: str, **changes: object) -> SlaRow:
    values: dict[str, object] = {
        "client_id": 1,
        "client_code": "CL00001",
        "client_name": name,
        "product_line_id": 1,
        "product_line_name": "Hosted Exchange",
        "month": MARCH,
        "availability": D("98.5"),
        "downtime": timedelta(hours=11, minutes=9),
        "notifications": 3,
        "excusable": 1,
        "credit_percent": D(5),
        "fixed_fees": D("100.00"),
        "usage_fees": D("50.00"),
        "previous_usage": (D("90.00"), D("60.00")),
        "already_credited": D("0.00"),
        "credit_due": D("8.75"),
        "credit_granted": D("8.75"),
        "credit_note_number": "AV2026-000004",
    }
    values.update(changes)
    return SlaRow(**values)  # type: ignore[arg-type]


def read(rows: list[SlaRow]):  # type: ignore[no-untyped-def]
    data = sla_report_workbook(rows, MARCH, generated_at=datetime(2026, 4, 2, 8, 30, tzinfo=UTC))
    return load_workbook(BytesIO(data)).active


def test_title_note_header_and_layout() -> None:
    sheet = read([row("Acme Industrie"), row("Zoé Bio", credit_note_number=None)])
    assert sheet.title == "Disponibilité mars 2026"
    assert sheet["A1"].value == "Disponibilité du service — mars 2026"
    assert sheet["A2"].value == "Exporté le 02/04/2026 à 10:30 — 2 lignes"
    headers = [cell.value for cell in sheet[3]]
    assert headers == [
        "Code client", "Client", "Gamme", "Disponibilité", "Indisponibilité (h)",
        "Notifications", "Excusables", "Taux d'avoir", "Base",
        "Avoirs déjà accordés (30 j)", "Avoir dû", "Avoir accordé", "N° d'avoir",
    ]  # fmt: skip
    assert all(cell.font.bold for cell in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:M5"
    assert sheet.column_dimensions["B"].width > 30


def test_values_types_and_number_formats() -> None:
    sheet = read([row("Acme Industrie")])
    cells = {cell.column_letter: cell for cell in sheet[4]}
    assert cells["A"].value == "CL00001" and cells["A"].data_type == "s"
    assert cells["D"].value == 0.985 and cells["D"].number_format == "0.000 %"
    assert cells["E"].value == 11.15 and cells["E"].number_format == "0.00"
    assert (cells["F"].value, cells["G"].value) == (3, 1)
    assert cells["H"].value == 0.05 and cells["H"].number_format == "0 %"
    assert cells["I"].value == 175 and cells["I"].number_format == "#,##0.00 €"  # 100 + 75
    assert cells["J"].value == 0
    assert cells["K"].value == 8.75 and cells["K"].number_format == "#,##0.00 €"
    assert cells["L"].value == 8.75
    assert cells["M"].value == "AV2026-000004"


def test_formula_like_text_stays_text() -> None:
    name = '=HYPERLINK("http://evil.example","Cliquez")'
    sheet = read([row(name, client_code="+33", product_line_name="@gamme")])
    cells = {cell.column_letter: cell for cell in sheet[4]}
    assert cells["B"].value == name and cells["B"].data_type == "s"
    assert cells["B"].quotePrefix
    assert cells["A"].value == "+33" and cells["A"].data_type == "s"
    assert cells["C"].value == "@gamme" and cells["C"].data_type == "s"


def test_an_empty_month_still_has_its_header() -> None:
    sheet = read([])
    assert sheet["A2"].value == "Exporté le 02/04/2026 à 10:30 — 0 ligne"
    assert sheet.max_row == 3
