"""« Exporter (Excel)… »: the current tab's list, as shown, to an .xlsx file.

The export takes the tab's current query — search, filters (the client's too) and
sort — asks where to save (a dated name per tab), then writes in the background
behind a progress dialog whose « Annuler » stops it and leaves no file. The status
bar says how many rows were written, or that nothing was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QProgressDialog, QStyle

from desktop.documents.xlsx import ExportCancelled
from desktop.domain.clock import paris_today
from desktop.services.export import ExportSpec, export_spec, export_table
from desktop.services.listing import ListQuery
from desktop.ui.formatting import french_int
from desktop.ui.progress import Cancelled, Progress, run_with_progress
from desktop.ui.tabs.record_tab import RecordTab
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.workbook_path import ask_workbook_path

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

ACTION_TEXT = "E&xporter (Excel)…"
SHORTCUT = "Ctrl+Shift+E"
"""Ctrl+E already opens the record for editing (« Modifier… »)."""
FOLDER_KEY = "export/folder"
"""The folder the last export went to (QSettings), proposed next time."""
CANCELLED_TEXT = "Export annulé : aucun fichier écrit."
MESSAGE_MS = 15_000

TABLES: dict[RecordKind, str] = {
    RecordKind.CLIENT: "clients",
    RecordKind.DOMAIN: "domains",
    RecordKind.MAILBOX: "mailboxes",
    RecordKind.CONTRACT: "contracts",
    RecordKind.INVOICE: "invoices",
    RecordKind.INCIDENT: "incidents",
    RecordKind.QUOTE: "quotes",
}
"""The export table of each kind of tab."""


def make_export_action(window: MainWindow) -> QAction:
    """The window's « Exporter (Excel)… » action (Fichier menu and toolbar)."""
    action = QAction(ACTION_TEXT, window)
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setIcon(window.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
    action.setToolTip(f"Exporter la liste affichée vers Excel ({SHORTCUT})")
    action.triggered.connect(lambda _checked=False: export_current_tab(window))
    window.addAction(action)
    return action


def current_record_tab(window: MainWindow) -> RecordTab | None:
    """The record tab shown, or None (the dashboard has no list)."""
    widget = window.tabs.currentWidget()
    return widget if isinstance(widget, RecordTab) else None


def tab_query(tab: RecordTab) -> tuple[ExportSpec, ListQuery, dict[str, str]]:
    """The tab's export table, its current query and the client's name for the note."""
    spec = export_spec(TABLES[tab.spec.kind])
    query = tab.panel.model.query
    labels: dict[str, str] = {}
    chip = tab.panel.client_chip
    if "client_id" in query.filters and not chip.isHidden():
        labels["client_id"] = chip.text().removeprefix("Client : ").rstrip(" ✕")
    return spec, query, labels


def ask_target(window: MainWindow, spec: ExportSpec) -> Path | None:
    """The file chosen by the user (``.xlsx`` added if missing), or None if cancelled."""
    title = f"Exporter « {spec.title} » vers Excel"
    return ask_workbook_path(window, title, spec.file_name(paris_today()), FOLDER_KEY)


def export_current_tab(window: MainWindow) -> QProgressDialog | None:
    """Export the current tab's list as shown; the progress dialog, None if nothing done."""
    tab = current_record_tab(window)
    if tab is None:
        window.statusBar().showMessage("Aucune liste à exporter ici.", MESSAGE_MS)
        return None
    spec, query, labels = tab_query(tab)
    path = ask_target(window, spec)
    if path is None:
        return None
    db = window.db

    def work(progress: Progress) -> int:
        return export_table(
            db,
            spec.name,
            path,
            query=query,
            progress=_stage(progress),
            filter_labels=labels,
        )

    def done(count: int) -> None:
        rows = "ligne exportée" if count <= 1 else "lignes exportées"
        window.statusBar().showMessage(f"{french_int(count)} {rows} dans {path}", MESSAGE_MS)

    def failed(error: Exception) -> None:
        if isinstance(error, Cancelled | ExportCancelled):
            window.statusBar().showMessage(CANCELLED_TEXT, MESSAGE_MS)
            return
        window.show_error(error)

    # The dialog has the window as parent: Qt keeps it (and the export) alive.
    return run_with_progress(window, f"Export de « {spec.title} »", work, done, failed)


def _stage(progress: Progress) -> Callable[[int, int], None]:
    """Rows written so far, on the dialog (Cancel raises there and stops the export)."""

    def report(done: int, total: int) -> None:
        progress(f"Export : {french_int(done)} / {french_int(total)} lignes", done, total)

    return report
