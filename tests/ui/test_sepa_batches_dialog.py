"""« Facturation > Remises SEPA… »: collected, a rejection typed, the bank's camt.054 read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, click, make_window, plain, screenshot

from desktop.db.engine import Database
from desktop.services.sepa_export import export_pain008
from desktop.ui.dialogs.reason_dialog import ReasonDialog
from desktop.ui.dialogs.sepa_batches_dialog import CollectedDialog, SepaBatchesDialog
from desktop.ui.models.rows_model import RowsModel
from tests.services.camt054_samples import returns_notification
from tests.services.factories import ACTOR
from tests.services.test_sepa_export import JAN_5, JAN_20, Office, office
from tests.services.test_sepa_returns import JAN_23

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

MODE = QAbstractItemModelTester.FailureReportingMode.Warning


def open_batches(qtbot: QtBot, db: Database) -> SepaBatchesDialog:
    window = make_window(qtbot, db)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Fac&turation")
    [action] = [a for a in menu.actions() if a.text() == "&Remises SEPA…"]
    action.trigger()
    dialog = window.sepa_batches
    assert isinstance(dialog, SepaBatchesDialog)
    QAbstractItemModelTester(dialog.batches, MODE)
    QAbstractItemModelTester(dialog.debits, MODE)
    settle(qtbot, dialog)
    return dialog


def settle(qtbot: QtBot, dialog: SepaBatchesDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.loading and not dialog.busy, timeout=WAIT)


def cells(model: RowsModel, row: int) -> list[str]:
    return [plain(model.index(row, column).data()) for column in range(model.columnCount())]


def summary(dialog: SepaBatchesDialog) -> str:
    document = QTextDocument()
    document.setHtml(dialog.summary.text())
    return plain(document.toPlainText())


def sent_batch(db: Database) -> tuple[Office, str]:
    world = office(db)
    return world, export_pain008(db, collection_date=JAN_20, actor=ACTOR, today=JAN_5).message_id


def test_a_batch_is_collected_then_one_debit_rejected(qtbot: QtBot, sqlite_db: Database) -> None:
    world, message_id = sent_batch(sqlite_db)
    dialog = open_batches(qtbot, sqlite_db)
    assert dialog.batches.rowCount() == 1
    assert cells(dialog.batches, 0)[0] == message_id
    assert cells(dialog.batches, 0)[2:] == ["20/01/2026", "2", "150,00 €", "2", "0", "0"]
    assert [cells(dialog.debits, row)[1:5] for row in range(2)] == [
        [world.subscription[1], "120,00 €", "FRST", "Envoyé"],
        [world.option[1], "30,00 €", "FRST", "Envoyé"],
    ]
    assert not dialog.reject_button.isEnabled()  # no debit selected yet

    click(qtbot, dialog.collected_button)
    collected = dialog.follow_up
    assert isinstance(collected, CollectedDialog)
    collected.date.setText("20/01/2026")
    screenshot(qtbot, collected, "sepa_batch_collected")
    click(qtbot, collected.ok_button)
    qtbot.waitUntil(lambda: dialog.follow_up is None, timeout=WAIT)
    settle(qtbot, dialog)
    qtbot.waitUntil(lambda: cells(dialog.batches, 0)[5:] == ["0", "2", "0"], timeout=WAIT)
    assert summary(dialog) == f"Remise {message_id} : 2 prélèvement(s) enregistré(s) comme payé(s)."
    assert not dialog.collected_button.isEnabled()

    dialog.debit_table.selectRow(0)
    click(qtbot, dialog.reject_button)
    rejection = dialog.follow_up
    assert isinstance(rejection, ReasonDialog)
    assert rejection.date is not None
    rejection.date.setText("23/01/2026")
    rejection.reason.setPlainText("AM04 provision insuffisante")
    qtbot.waitUntil(rejection.action_button.isEnabled, timeout=WAIT)
    click(qtbot, rejection.action_button)
    qtbot.waitUntil(lambda: dialog.follow_up is None, timeout=WAIT)
    settle(qtbot, dialog)
    qtbot.waitUntil(lambda: cells(dialog.batches, 0)[5:] == ["0", "1", "1"], timeout=WAIT)
    assert summary(dialog) == (
        f"Rejet enregistré : {world.subscription[1]} est émise, reste dû 120,00 €."
    )
    row = cells(dialog.debits, 0)
    assert row[4] == "Rejeté" and row[5] == "23/01/2026 — AM04 provision insuffisante"
    screenshot(qtbot, dialog, "sepa_batches")


def test_the_banks_camt054_is_previewed_then_recorded(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, _message_id = sent_batch(sqlite_db)
    dialog = open_batches(qtbot, sqlite_db)
    e2e = cells(dialog.debits, 1)[6]
    notice = tmp_path / "camt054.xml"
    notice.write_bytes(returns_notification([(e2e, Decimal("30.00"), "AC04", JAN_23)]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args, **_kw: (str(notice), ""))
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: isinstance(dialog.follow_up, QMessageBox), timeout=WAIT)
    box = dialog.follow_up
    assert isinstance(box, QMessageBox)
    assert box.text() == "Enregistrer 1 rejet(s) lu(s) dans le relevé ?"
    assert f"facture {world.option[1]}" in box.informativeText()
    [record] = [b for b in box.buttons() if b.text() == "Enregistrer les rejets"]
    record.click()
    qtbot.waitUntil(lambda: "1 rejet(s) enregistré(s)" in summary(dialog), timeout=WAIT)
    settle(qtbot, dialog)
    qtbot.waitUntil(lambda: cells(dialog.debits, 1)[4] == "Rejeté", timeout=WAIT)
    assert "AC04" in cells(dialog.debits, 1)[5]

    # The same file again: nothing to record, said so, no question asked.
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: "rejet déjà enregistré" in summary(dialog), timeout=WAIT)
    assert dialog.follow_up is None


def test_an_unreadable_file_is_explained(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_batch(sqlite_db)
    dialog = open_batches(qtbot, sqlite_db)
    bad = tmp_path / "releve.xml"
    bad.write_bytes("ceci n'est pas un relevé".encode())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(bad), ""))
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: "camt.054" in summary(dialog), timeout=WAIT)
    assert "color" in dialog.summary.styleSheet()  # shown in red
    assert cells(dialog.debits, 0)[4] == "Envoyé"
