"""« Fichier > Importer des clients, domaines ou boîtes… »: check, then import; the template."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, click, make_window

from desktop.db.engine import Database
from desktop.db.models import Client
from desktop.services.importing import ImportKind
from desktop.ui.dialogs.import_dialog import ImportDialog
from desktop.ui.main_window import MainWindow
from tests.services.factories import OTHER_SIREN, SIREN

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

GOOD = f"Raison sociale;SIREN;E-mail de facturation\nAcme;{SIREN};a@acme.fr\n"
BAD = f"Nom;SIREN;E-mail\nAcme;{SIREN};a@acme.fr\nBeta;{OTHER_SIREN};pas-un-mail\n"


def open_import(qtbot: QtBot, db: Database) -> tuple[MainWindow, ImportDialog]:
    window = make_window(qtbot, db)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Fichier")
    [action] = [a for a in menu.actions() if a.text().startswith("&Importer des clients")]
    action.trigger()
    dialog = window.import_window
    assert isinstance(dialog, ImportDialog)
    return window, dialog


def clients(db: Database) -> int:
    with db.read_session() as session:
        return int(session.execute(sa.select(sa.func.count(Client.id))).scalar_one())


def wait_idle(qtbot: QtBot, dialog: ImportDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT)


def test_check_lists_problems_and_import_stays_disabled(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(BAD, encoding="cp1252")
    _window, dialog = open_import(qtbot, sqlite_db)
    assert not dialog.check_button.isEnabled() and not dialog.import_button.isEnabled()
    dialog.path_edit.setText(str(path))
    click(qtbot, dialog.check_button)
    wait_idle(qtbot, dialog)
    [problem] = dialog.problem_rows()
    assert (problem.row, problem.column) == (3, "E-mail")
    model = dialog.problems
    assert [model.headerData(c, orientation=Qt.Orientation.Horizontal) for c in range(3)] == [
        "Ligne",
        "Colonne",
        "Problème",
    ]
    assert model.index(0, 0).data() == "3"
    assert "1 problème(s) (rien n'a été importé)" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    assert clients(sqlite_db) == 0


def test_clean_check_enables_import_which_writes(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    _window, dialog = open_import(qtbot, sqlite_db)
    dialog.path_edit.setText(str(path))
    click(qtbot, dialog.check_button)
    wait_idle(qtbot, dialog)
    assert dialog.problem_rows() == []
    assert dialog.import_button.isEnabled()
    assert clients(sqlite_db) == 0
    dialog.kind_combo.setCurrentIndex(1)  # another kind: check again first
    assert not dialog.import_button.isEnabled()
    dialog.kind_combo.setCurrentIndex(0)
    click(qtbot, dialog.check_button)
    wait_idle(qtbot, dialog)
    click(qtbot, dialog.import_button)
    wait_idle(qtbot, dialog)
    assert "1 client importé." in dialog.summary.text()
    assert clients(sqlite_db) == 1
    assert not dialog.import_button.isEnabled()


def test_unreadable_file_shows_the_reason(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    path.write_bytes(b"%PDF-1.4\n")
    _window, dialog = open_import(qtbot, sqlite_db)
    dialog.path_edit.setText(str(path))
    click(qtbot, dialog.check_button)
    wait_idle(qtbot, dialog)
    assert "est un document PDF, pas un tableau" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()


def test_template_is_saved(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "modele"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kw: (str(target), XLSX))
    _window, dialog = open_import(qtbot, sqlite_db)
    dialog.kind_combo.setCurrentIndex(2)
    assert dialog.kind is ImportKind.MAILBOXES
    click(qtbot, dialog.template_button)
    written = tmp_path / "modele.xlsx"
    sheet = openpyxl.load_workbook(written).worksheets[0]
    assert sheet.cell(1, 1).value == "Adresse e-mail"
    assert "Modèle enregistré" in dialog.summary.text()


XLSX = "Classeurs Excel (*.xlsx)"
