"""« Facturation > Prélèvements SEPA… »: the debits due, the date check, the file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, click, make_window, plain, screenshot

from desktop.db.engine import Database
from desktop.db.models import SepaBatch
from desktop.services.sepa_export import NO_MANDATE
from desktop.ui.dialogs import sepa_export_dialog as module
from desktop.ui.dialogs.sepa_export_dialog import SepaExportDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.models.rows_model import RowsModel
from tests.services.test_sepa_export import JAN_5, assert_xsd_valid, office

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

MODE = QAbstractItemModelTester.FailureReportingMode.Warning


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(module, "paris_today", lambda: JAN_5)
    return JAN_5


def open_sepa(qtbot: QtBot, db: Database) -> tuple[MainWindow, SepaExportDialog]:
    window = make_window(qtbot, db)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Fac&turation")
    [action] = [a for a in menu.actions() if a.text() == "Prélèvements &SEPA…"]
    action.trigger()
    dialog = window.sepa
    assert isinstance(dialog, SepaExportDialog)
    QAbstractItemModelTester(dialog.due, MODE)
    QAbstractItemModelTester(dialog.skipped, MODE)
    qtbot.waitUntil(lambda: dialog.debits is not None, timeout=WAIT)
    return window, dialog


def cells(model: RowsModel, row: int) -> list[str]:
    return [plain(model.index(row, column).data()) for column in range(model.columnCount())]


def summary(dialog: SepaExportDialog) -> str:
    document = QTextDocument()
    document.setHtml(dialog.summary.text())
    return plain(document.toPlainText())


def test_lists_the_debits_due_and_the_skipped_invoice(qtbot: QtBot, sqlite_db: Database) -> None:
    world = office(sqlite_db)
    _window, dialog = open_sepa(qtbot, sqlite_db)
    assert dialog.date_field.text() == "19/01/2026"
    assert dialog.format_combo.currentText() == "pain.008.001.02"
    assert [dialog.format_combo.itemText(i) for i in range(dialog.format_combo.count())] == [
        "pain.008.001.02",
        "pain.008.001.08",
    ]
    assert dialog.due.rowCount() == 2
    assert [cells(dialog.due, row)[:2] for row in range(2)] == [
        ["Acme Industrie", world.subscription[1]],
        ["Acme Industrie", world.option[1]],
    ]
    assert cells(dialog.due, 0)[3:] == ["120,00 €", world.acme_rum, "FRST"]
    assert cells(dialog.due, 1)[3:] == ["30,00 €", world.acme_rum, "FRST"]
    assert dialog.skipped.rowCount() == 1
    assert cells(dialog.skipped, 0) == [
        "Bretagne Bois",
        world.no_mandate[1],
        "120,00 €",
        NO_MANDATE,
    ]
    assert plain(dialog.totals.text()) == (
        "2 prélèvements : 150,00 € — 1 facture non prélevée : 120,00 €"
    )
    assert dialog.export_button.isEnabled()
    assert dialog.date_error.isHidden()
    screenshot(qtbot, dialog, "sepa_due")


def test_an_early_date_is_refused_under_the_field(qtbot: QtBot, sqlite_db: Database) -> None:
    office(sqlite_db)
    _window, dialog = open_sepa(qtbot, sqlite_db)
    dialog.date_field.setText("18/01/2026")
    assert not dialog.date_error.isHidden()
    assert dialog.date_error.text() == (
        "Le débiteur doit être prévenu 14 jours avant le prélèvement : "
        "choisissez le 19/01/2026 ou après."
    )
    assert not dialog.export_button.isEnabled()
    assert dialog.due.rowCount() == 0
    screenshot(qtbot, dialog, "sepa_early")
    dialog.date_field.setText("32/01/2026")
    assert dialog.date_error.text().startswith("Cette date n'existe pas")
    assert not dialog.export_button.isEnabled()
    dialog.date_field.setText("20/01/2026")
    assert dialog.date_error.isHidden()
    qtbot.waitUntil(lambda: dialog.debits is not None, timeout=WAIT)
    assert dialog.due.rowCount() == 2
    assert dialog.export_button.isEnabled()


def test_the_file_is_written_valid_and_the_debits_are_gone(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = office(sqlite_db)
    _window, dialog = open_sepa(qtbot, sqlite_db)
    target = tmp_path / "remise"
    asked: list[str] = []

    def save_as(*args: object, **_kwargs: object) -> tuple[str, str]:
        asked.append(Path(str(args[2])).name)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.export_result is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: not dialog.running and dialog.debits is not None, timeout=WAIT)
    assert asked == ["prelevements-2026-01-19.xml"]

    written = tmp_path / "remise.xml"
    document = assert_xsd_valid(written.read_bytes())
    assert document is not None
    assert dialog.export_result is not None and dialog.export_result.xml == written.read_bytes()
    with sqlite_db.read_session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(SepaBatch)).scalar_one() == 1
    assert summary(dialog).startswith(
        f"2 prélèvement(s), 150,00 €, remise BOM-PRLV-20260105-000001 écrite dans {written}."
    )
    assert f"Non prélevée : {world.no_mandate[1]} — {NO_MANDATE}" in summary(dialog)
    assert dialog.due.rowCount() == 0
    assert dialog.skipped.rowCount() == 1
    assert not dialog.export_button.isEnabled()
    assert plain(dialog.totals.text()) == (
        "Aucun prélèvement à faire — 1 facture non prélevée : 120,00 €"
    )
    screenshot(qtbot, dialog, "sepa_done")
