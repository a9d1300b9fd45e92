"""The « Rapports » menu and the client record's « Inventaire des boîtes… »."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factories import mailbox, world
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, make_window, open_view

from desktop.db.engine import Database
from desktop.ui.dialogs.report_dialogs import (
    ReportDialog,
    ReportKind,
    ReportRequest,
    last_months,
)
from desktop.ui.main_window import MainWindow
from desktop.ui.tabs.specs import RecordKind

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]


def _save_as(monkeypatch: pytest.MonkeyPatch, target: Path | None) -> list[str]:
    """QFileDialog answers ``target`` (None: cancelled); the names it was offered."""
    offered: list[str] = []

    def answer(*args: Any, **_kwargs: Any) -> tuple[str, str]:
        offered.append(Path(args[2]).name)
        return (str(target) if target else "", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return offered


def _reports_menu(window: MainWindow) -> Any:
    return next(a.menu() for a in window.menuBar().actions() if a.text() == "&Rapports")


def _trigger(qtbot: QtBot, window: MainWindow, text: str) -> ReportDialog:
    action = next(a for a in _reports_menu(window).actions() if a.text() == text)
    action.trigger()
    dialog = next(
        w for w in window.findChildren(ReportDialog) if w.isVisible() and w.spec.menu == text
    )
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    return dialog


def test_the_reports_menu(qtbot: QtBot, sqlite_db: Database) -> None:
    window = make_window(qtbot, sqlite_db)
    assert [a.text() for a in _reports_menu(window).actions() if not a.isSeparator()] == [
        "&Balance âgée des créances…",
        "&Journal des ventes…",
        "Revenu &récurrent mensuel…",
        "&Inventaire des boîtes d'un client…",
        "&Disponibilité (SLA)…",
    ]
    sla = next(a for a in _reports_menu(window).actions() if a.text() == "&Disponibilité (SLA)…")
    sla.trigger()
    dialog = window.sla
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)
    dialog.close()


@pytest.mark.parametrize(
    ("entry", "first_cell"),
    [
        ("&Balance âgée des créances…", "Balance âgée des créances au "),
        ("&Journal des ventes…", "Journal des ventes — "),
        ("Revenu &récurrent mensuel…", "Revenu récurrent mensuel — "),
    ],
)
def test_a_report_is_written_in_the_background(
    qtbot: QtBot,
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entry: str,
    first_cell: str,
) -> None:
    window = make_window(qtbot, sqlite_db)
    dialog = _trigger(qtbot, window, entry)
    target = tmp_path / "rapport"
    offered = _save_as(monkeypatch, target)
    dialog.save_button.click()
    written = tmp_path / "rapport.xlsx"
    qtbot.waitUntil(
        lambda: "Rapport enregistré" in window.statusBar().currentMessage(), timeout=WAIT
    )
    assert window.statusBar().currentMessage().startswith(f"Rapport enregistré : {written} (")
    assert offered[0].endswith(".xlsx")
    sheet = openpyxl.load_workbook(written).active
    assert sheet["A1"].value.startswith(first_cell)
    assert sheet.cell(sheet.max_row, 1).value in ("Total", None)


def test_cancelling_the_file_writes_nothing(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(qtbot, sqlite_db)
    dialog = _trigger(qtbot, window, "&Journal des ventes…")
    _save_as(monkeypatch, None)
    dialog.save_button.click()
    assert dialog.isVisible() and not dialog.writing
    assert list(tmp_path.glob("*.xlsx")) == []
    dialog.close()


def test_months_offered_and_requests() -> None:
    months = last_months(date(2026, 3, 15), 3)
    assert months == [date(2026, 3, 1), date(2026, 2, 1), date(2026, 1, 1)]
    assert (
        ReportRequest(ReportKind.SALES_JOURNAL, month=date(2026, 2, 1)).file_name()
        == "journal-ventes-2026-02.xlsx"
    )
    assert (
        ReportRequest(ReportKind.RECEIVABLES, at=date(2026, 2, 3)).file_name()
        == "balance-agee-2026-02-03.xlsx"
    )


def test_the_inventory_from_the_menu_needs_a_client(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world(sqlite_db)
    mailbox(sqlite_db, w, "anne")
    window = make_window(qtbot, sqlite_db)
    dialog = _trigger(qtbot, window, "&Inventaire des boîtes d'un client…")
    dialog.client_box.setCurrentIndex(-1)
    assert not dialog.save_button.isEnabled()
    assert dialog.client_box.select(w.client_id)
    assert dialog.save_button.isEnabled()
    _save_as(monkeypatch, tmp_path / "inv.xlsx")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: (tmp_path / "inv.xlsx").exists(), timeout=WAIT)
    assert openpyxl.load_workbook(tmp_path / "inv.xlsx").active["A5"].value == "anne@acme.fr"


def test_the_client_record_button(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world(sqlite_db)
    mailbox(sqlite_db, w, "anne", display_name="Anne Martin")
    mailbox(sqlite_db, w, "bruno")
    window = make_window(qtbot, sqlite_db)
    view = open_view(qtbot, window, RecordKind.CLIENT, w.client_id)
    button = view.button("Inventaire des boîtes…")
    assert button is not None
    button.click()
    dialog = view.dialog
    assert isinstance(dialog, ReportDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    assert not dialog.client_box.isEnabled()  # the record's client, locked
    assert dialog.request() == ReportRequest(ReportKind.INVENTORY, client_id=w.client_id)
    offered = _save_as(monkeypatch, tmp_path / "inventaire.xlsx")
    dialog.save_button.click()
    qtbot.waitUntil(
        lambda: "Rapport enregistré" in window.statusBar().currentMessage(), timeout=WAIT
    )
    assert offered[0].startswith("inventaire-boites-") and offered[0].endswith(".xlsx")
    assert window.statusBar().currentMessage().endswith("(2 lignes).")
    sheet = openpyxl.load_workbook(tmp_path / "inventaire.xlsx").active
    assert [sheet["A5"].value, sheet["B5"].value] == ["anne@acme.fr", "Anne Martin"]
    assert view.dialog is None
