"""« Qualité > Disponibilité et avoirs (SLA)… »: the month's rows, the chart, the credit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from factories import world
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, make_window, plain, screenshot

from desktop.db.engine import Database
from desktop.ui.dialogs.sla_dialog import SlaDialog
from desktop.ui.models.rows_model import RowsModel
from tests.documents.pdf_helpers import store_provider
from tests.services.test_sla_service import APRIL, history, outages

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

MODE = QAbstractItemModelTester.FailureReportingMode.Warning
MAY_10 = date(2026, 5, 10)


def open_sla(qtbot: QtBot, db: Database) -> SlaDialog:
    window = make_window(qtbot, db)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Qualité")
    assert [a.text() for a in menu.actions()] == [
        "&Disponibilité et avoirs (SLA)…",
        "&Réglages de la qualité de service…",
    ]
    window.today = lambda: MAY_10  # type: ignore[attr-defined]
    dialog = SlaDialog(
        window,
        db=db,
        worker=window.worker,
        actor="moi",
        open_record=window.open_record,
        refresh=window.refresh,
        today=lambda: MAY_10,
    )
    qtbot.addWidget(dialog)
    QAbstractItemModelTester(dialog.model, MODE)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)
    return dialog


def cells(model: RowsModel, row: int) -> list[str]:
    return [plain(model.index(row, column).data()) for column in range(model.columnCount())]


def summary(dialog: SlaDialog) -> str:
    document = QTextDocument()
    document.setHtml(dialog.summary.text())
    return plain(document.toPlainText())


def test_the_month_is_shown_then_the_credit_granted(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_provider(sqlite_db)
    w = world(sqlite_db)
    history(sqlite_db, w)
    outages(sqlite_db, w)
    dialog = open_sla(qtbot, sqlite_db)
    assert dialog.month == APRIL  # the month before this one
    assert dialog.model.rowCount() == 1
    assert cells(dialog.model, 0) == [
        "CL00001 — Acme Industrie",
        "Hosted Exchange",
        "98,611 %",
        "10 h 00",
        "4",
        "1",
        "5 %",
        "160,00 €",
        "0,00 €",
        "8,00 €",
        "0,00 €",
        "",
    ]
    assert plain(dialog.totals.text()) == (
        "1 client(s) et gamme(s) touchés, 1 sous l'objectif de 99 % — "
        "avoirs dus : 8,00 €, accordés : 0,00 €."
    )
    april = next(v for v in dialog.chart.values if v.month == APRIL)
    assert (april.rows, april.below_target) == (1, 1)
    assert len(dialog.chart.values) == 12
    assert dialog.chart.values[-1].month == date(2026, 5, 1)
    screenshot(qtbot, dialog, "sla_dialog")

    assert not dialog.grant_button.isEnabled()
    dialog.table.selectRow(0)
    monkeypatch.setattr(dialog, "confirm_grant", lambda _row: True)
    dialog.grant_button.click()
    qtbot.waitUntil(lambda: "Avoir " in summary(dialog), timeout=WAIT)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)
    number = cells(dialog.model, 0)[11]
    assert number.startswith("A")
    assert summary(dialog) == f"Avoir {number} émis pour Acme Industrie : 8,00 €."
    assert cells(dialog.model, 0)[9:11] == ["8,00 €", "8,00 €"]
    dialog.table.selectRow(0)
    assert not dialog.grant_button.isEnabled()  # granted once

    # The chart selects a month; the Excel file holds the table shown.
    march = [v.month for v in dialog.chart.values].index(date(2026, 3, 1))
    centre = dialog.chart._slot(march).center().toPoint()
    qtbot.mouseClick(dialog.chart, Qt.MouseButton.LeftButton, pos=centre)
    assert dialog.month == date(2026, 3, 1)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)
    assert dialog.model.rowCount() == 1  # the notification spanning 31 March
    target = tmp_path / "sla.xlsx"
    dialog.export(target)
    qtbot.waitUntil(lambda: "Rapport enregistré" in summary(dialog), timeout=WAIT)
    sheet = openpyxl.load_workbook(target).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "Acme Industrie" in values
    assert Decimal is not None
