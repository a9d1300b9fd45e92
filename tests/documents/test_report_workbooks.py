"""The reports' workbooks, read back with openpyxl: values, types, number formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from desktop.documents.report_workbooks import (
    inventory_table,
    inventory_workbook,
    rate_label,
    receivables_workbook,
    recurring_revenue_workbook,
    sales_journal_workbook,
    write_report,
)
from desktop.services.reports import (
    MONTHLY_OPTION,
    SUBSCRIPTION,
    SUBTOTAL,
    TOTAL,
    AgingReport,
    AgingRow,
    Inventory,
    InventoryRow,
    JournalLine,
    RevenueLine,
    journal_total,
)

D = Decimal
EUROS = "#,##0.00 €"
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HEADER = 4


def _sheet(data: bytes) -> Any:
    return load_workbook(BytesIO(data)).active


def _values(sheet: Any, row: int) -> list[object]:
    return [cell.value for cell in sheet[row]]


def test_rate_labels() -> None:
    assert rate_label(D("20.00")) == "20 %"
    assert rate_label(D("5.50")) == "5,5 %"
    assert rate_label(D("2.10")) == "2,1 %"
    assert rate_label(D("0.00")) == "0 %"


def test_receivables_workbook() -> None:
    zero = D("0.00")
    report = AgingReport(
        date(2026, 3, 1),
        (
            AgingRow(1, "CLI-0001", "Acme", (D("10.00"), zero, D("110.41"), zero, zero), 2),
            AgingRow(2, "CLI-0002", "=Bêta", (zero, zero, zero, zero, D("1234.56")), 1),
        ),
        (),
    )
    sheet = _sheet(receivables_workbook(report, generated_at=AT))
    assert sheet.title == "Balance âgée"
    assert sheet["A1"].value == "Balance âgée des créances au 01/03/2026"
    assert "exporté le 02/03/2026 à 10:30" in sheet["A2"].value
    assert _values(sheet, HEADER) == [
        "Code client",
        "Client",
        "Factures",
        "Non échu",
        "0–30 j",
        "31–60 j",
        "61–90 j",
        "> 90 j",
        "Total dû",
    ]
    assert _values(sheet, 5) == ["CLI-0001", "Acme", 2, 10, 0, 110.41, 0, 0, 120.41]
    assert sheet["B6"].value == "=Bêta" and sheet["B6"].data_type == "s"
    assert _values(sheet, 7) == ["Total", None, 3, 10, 0, 110.41, 0, 1234.56, 1354.97]
    assert sheet.max_row == 7
    assert sheet["C5"].number_format == "0"
    assert all(sheet.cell(5, column).number_format == EUROS for column in range(4, 10))
    assert all(sheet.cell(7, column).data_type == "n" for column in range(3, 10))


def _document(number: str, kind: str, bases: dict[str, str], vat: dict[str, str]) -> JournalLine:
    base = {D(k): D(v) for k, v in bases.items()}
    tax = {D(k): D(v) for k, v in vat.items()}
    excl, vat_total = sum(base.values(), D("0.00")), sum(tax.values(), D("0.00"))
    return JournalLine(
        date(2026, 3, 2),
        number,
        kind,
        "CLI-0001",
        "Acme",
        base,
        tax,
        excl,
        vat_total,
        excl + vat_total,
        "Virement" if kind == "Facture" else "",
    )


def test_sales_journal_workbook() -> None:
    documents = [
        _document("A2026-0001", "Avoir", {"20.00": "-12.00"}, {"20.00": "-2.40"}),
        _document(
            "F2026-000001",
            "Facture",
            {"20.00": "12.00", "5.50": "91.00"},
            {"20.00": "2.40", "5.50": "5.01"},
        ),
    ]
    lines = [*documents, journal_total(documents)]
    sheet = _sheet(sales_journal_workbook(lines, date(2026, 3, 1), generated_at=AT))
    assert sheet.title == "Journal 2026-03"
    assert sheet["A1"].value == "Journal des ventes — mars 2026"
    assert _values(sheet, HEADER) == [
        "Date",
        "Numéro",
        "Type",
        "Code client",
        "Client",
        "Base HT 20 %",
        "Base HT 5,5 %",
        "TVA 20 %",
        "TVA 5,5 %",
        "Total TTC",
        "Mode de paiement",
    ]
    assert _values(sheet, 5) == [
        datetime.combine(date(2026, 3, 2), time()),
        "A2026-0001",
        "Avoir",
        "CLI-0001",
        "Acme",
        -12,
        None,
        -2.4,
        None,
        -14.4,
        None,
    ]
    assert _values(sheet, 6)[5:10] == [12, 91, 2.4, 5.01, 110.41]
    assert _values(sheet, 7) == [
        None,
        "Total",
        None,
        None,
        "2 document(s)",
        0,
        91,
        0,
        5.01,
        96.01,
        None,
    ]
    assert sheet["A5"].number_format == "dd/mm/yyyy" and sheet["A5"].is_date
    assert all(sheet.cell(6, column).number_format == EUROS for column in range(6, 11))


def test_recurring_revenue_workbook() -> None:
    lines = [
        RevenueLine("Hosted Exchange", "Exchange Standard", SUBSCRIPTION, 2, D("24.00")),
        RevenueLine("Hosted Exchange", "Archivage", MONTHLY_OPTION, 1, D("2.50")),
        RevenueLine("Hosted Exchange", "", SUBTOTAL, 2, D("26.50")),
        RevenueLine("", "", TOTAL, 2, D("26.50")),
    ]
    sheet = _sheet(recurring_revenue_workbook(lines, date(2026, 3, 1), generated_at=AT))
    assert sheet["A1"].value == "Revenu récurrent mensuel — mars 2026"
    assert _values(sheet, HEADER) == [
        "Gamme",
        "Formule ou option",
        "Type",
        "Boîtes facturées",
        "Montant HT",
    ]
    assert _values(sheet, 5) == ["Hosted Exchange", "Exchange Standard", "Abonnement", 2, 24]
    assert _values(sheet, 6) == ["Hosted Exchange", "Archivage", "Option mensuelle", 1, 2.5]
    assert _values(sheet, 7) == ["Hosted Exchange", "Sous-total", None, 2, 26.5]
    assert _values(sheet, 8) == ["Total", None, None, 2, 26.5]
    assert sheet["E5"].number_format == EUROS and sheet["D5"].number_format == "0"


def _inventory() -> Inventory:
    rows = (
        InventoryRow(
            "anne@acme.fr",
            "Anne",
            "Hosted Exchange",
            "Exchange Standard",
            10,
            "Active",
            date(2026, 1, 5),
            "C2026-00001",
        ),
        InventoryRow(
            "salle@acme.fr", "", "Office 365", "Business Basic", 50, "Demandée", None, "C2026-00002"
        ),
    )
    return Inventory(7, "CLI-0007", "Acme", None, rows)


def test_inventory_workbook() -> None:
    sheet = _sheet(inventory_workbook(_inventory(), generated_at=AT))
    assert sheet.title == "Boîtes CLI-0007"
    assert sheet["A1"].value == "Inventaire des boîtes aux lettres — Acme (CLI-0007)"
    assert sheet["A2"].value.startswith("Boîtes à ce jour — 2 boîtes")
    assert _values(sheet, HEADER) == [
        "Adresse",
        "Nom affiché",
        "Gamme",
        "Formule",
        "Quota (Go)",
        "État",
        "Mise en service",
        "Contrat",
    ]
    assert _values(sheet, 5) == [
        "anne@acme.fr",
        "Anne",
        "Hosted Exchange",
        "Exchange Standard",
        10,
        "Active",
        datetime.combine(date(2026, 1, 5), time()),
        "C2026-00001",
    ]
    assert sheet["G6"].value is None
    assert _values(sheet, 7) == ["Total", "2 boîtes", None, None, 60, None, None, None]
    assert sheet["G5"].number_format == "dd/mm/yyyy"


def test_written_to_a_path(tmp_path: Path) -> None:
    target = tmp_path / "inventaire.xlsx"
    table = inventory_table(_inventory(), generated_at=AT)
    assert table.count == 2
    assert write_report(table, target) == 3
    assert load_workbook(target).active["A5"].value == "anne@acme.fr"
    assert [p.name for p in tmp_path.iterdir()] == ["inventaire.xlsx"]
