"""« Rapports » menu: ask a report's date, month or client, then the .xlsx file.

One small dialog per report (:class:`ReportDialog`): its parameter, then
« Enregistrer… » asks where to save and the workbook is made and written on
the window's database thread; the status bar says where it went. The client
record's « Inventaire des boîtes… » opens the inventory with the client set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.documents.report_workbooks import (
    ReportTable,
    inventory_table,
    receivables_table,
    recurring_revenue_table,
    sales_journal_table,
    write_report,
)
from desktop.domain.clock import paris_today
from desktop.domain.periods import add_months, month_name
from desktop.errors import UserError
from desktop.services.choices import client_choice, client_choices
from desktop.services.reports import (
    mailbox_inventory,
    receivables_by_age,
    recurring_revenue,
    sales_journal,
)
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.widgets.choice_box import ChoiceBox

if TYPE_CHECKING:
    from desktop.ui.views.base import RecordView

XLSX_FILTER = "Classeurs Excel (*.xlsx)"
MONTHS_OFFERED = 24
NOTICE_MS = 15_000


class ReportKind(Enum):
    RECEIVABLES = "receivables"
    SALES_JOURNAL = "sales_journal"
    RECURRING_REVENUE = "recurring_revenue"
    INVENTORY = "inventory"


@dataclass(frozen=True)
class ReportSpec:
    menu: str  # the menu entry
    title: str  # the dialog's title
    intro: str
    asks: str  # "date", "month" or "client"


SPECS: dict[ReportKind, ReportSpec] = {
    ReportKind.RECEIVABLES: ReportSpec(
        "&Balance âgée des créances…",
        "Balance âgée des créances",
        "Ce que chaque client doit à la date choisie, TTC, réparti selon le retard depuis "
        "l'échéance : non échu, 0–30 j, 31–60 j, 61–90 j, plus de 90 jours.",
        "date",
    ),
    ReportKind.SALES_JOURNAL: ReportSpec(
        "&Journal des ventes…",
        "Journal des ventes",
        "Pour le comptable : les factures et avoirs émis dans le mois, avec la base HT et la "
        "TVA de chaque taux, le total TTC et le mode de paiement.",
        "month",
    ),
    ReportKind.RECURRING_REVENUE: ReportSpec(
        "Revenu &récurrent mensuel…",
        "Revenu récurrent mensuel",
        "Les abonnements et options mensuelles facturés pour le mois, par gamme et formule : "
        "boîtes facturées et montant HT, avec un sous-total par gamme.",
        "month",
    ),
    ReportKind.INVENTORY: ReportSpec(
        "&Inventaire des boîtes d'un client…",
        "Inventaire des boîtes aux lettres",
        "Les boîtes aux lettres du client (adresse, gamme, formule, quota, état, mise en "
        "service, contrat), à lui envoyer.",
        "client",
    ),
}


@dataclass(frozen=True)
class ReportRequest:
    kind: ReportKind
    at: date | None = None
    month: date | None = None
    client_id: int | None = None

    def file_name(self) -> str:
        """The file name offered: « journal-ventes-2026-03.xlsx »…"""
        if self.kind is ReportKind.RECEIVABLES:
            return f"balance-agee-{self.at or paris_today():%Y-%m-%d}.xlsx"
        if self.kind is ReportKind.SALES_JOURNAL:
            return f"journal-ventes-{self.month:%Y-%m}.xlsx"
        if self.kind is ReportKind.RECURRING_REVENUE:
            return f"revenu-recurrent-{self.month:%Y-%m}.xlsx"
        return "inventaire-boites.xlsx"


def build_report(db: Database, request: ReportRequest) -> ReportTable:
    """The report's table, read from the database (runs off the GUI thread)."""
    if request.kind is ReportKind.RECEIVABLES:
        return receivables_table(receivables_by_age(db, request.at or paris_today()))
    if request.kind is ReportKind.INVENTORY:
        if request.client_id is None:
            raise UserError("Choisissez le client.")
        return inventory_table(mailbox_inventory(db, request.client_id, request.at))
    month = request.month or paris_today().replace(day=1)
    if request.kind is ReportKind.SALES_JOURNAL:
        return sales_journal_table(sales_journal(db, month), month)
    return recurring_revenue_table(recurring_revenue(db, month), month)


def save_report(db: Database, request: ReportRequest, path: Path) -> tuple[Path, int]:
    """Make the report and write it to ``path`` (atomically); where, and its lines."""
    table = build_report(db, request)
    write_report(table, path)
    return path.expanduser().absolute(), table.count


def saved_text(path: Path, count: int) -> str:
    return f"Rapport enregistré : {path} ({count} lignes)."


def last_months(today: date, count: int = MONTHS_OFFERED) -> list[date]:
    """The first days of the ``count`` months up to this one, latest first."""
    current = today.replace(day=1)
    return [add_months(current, -offset) for offset in range(count)]


def _ignore(_message: str) -> None:
    return None


def status_bar_notice(widget: QWidget) -> Callable[[str], None]:
    """Say something in the status bar of the main window holding ``widget``."""

    def notify(message: str) -> None:
        window = widget.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(message, NOTICE_MS)

    return notify


class ReportDialog(QDialog):
    """One report: its parameter, then the file; written in the background."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        worker: DbWorker,
        kind: ReportKind,
        client_id: int | None = None,
        notify: Callable[[str], None] | None = None,
        today: Callable[[], date] = paris_today,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.kind = kind
        self.spec = SPECS[kind]
        self.notify = notify or (status_bar_notice(parent) if parent is not None else _ignore)
        self.writing = False
        self.saved: Path | None = None
        self._alive = True
        self.setWindowTitle(self.spec.title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        layout = QVBoxLayout(self)
        intro = QLabel(self.spec.intro)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.date_edit = QDateEdit()
        self.month_combo = QComboBox()
        self.client_box = ChoiceBox(
            search=lambda text: client_choices(self.db, text), placeholder="Code ou nom du client"
        )
        self._build_parameter(form, today(), client_id)
        layout.addLayout(form)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        box = QDialogButtonBox()
        self.save_button = QPushButton("Enregistrer…")
        self.save_button.setDefault(True)
        box.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(self.reject)
        self.save_button.clicked.connect(self.choose_file)
        layout.addWidget(box)
        self.client_box.choice_changed.connect(self._update)
        self.resize(460, 0)
        self._update()

    def _build_parameter(self, form: QFormLayout, today: date, client_id: int | None) -> None:
        asks = self.spec.asks
        if asks == "date":
            self.date_edit.setCalendarPopup(True)
            self.date_edit.setDisplayFormat("dd/MM/yyyy")
            self.date_edit.setDate(QDate(today.year, today.month, today.day))
            form.addRow("Au", self.date_edit)
        elif asks == "month":
            months = last_months(today)
            for first in months:
                self.month_combo.addItem(month_name(first), first)
            self.month_combo.setCurrentIndex(1 if len(months) > 1 else 0)
            form.addRow("Mois", self.month_combo)
        else:
            choice = client_choice(self.db, client_id) if client_id is not None else None
            if choice is not None:
                self.client_box.lock(choice)
            else:
                self.client_box.set_choices(client_choices(self.db))
            form.addRow("Client", self.client_box)

    # --- the request --------------------------------------------------------------------

    def request(self) -> ReportRequest:
        asks = self.spec.asks
        if asks == "date":
            day = self.date_edit.date()
            return ReportRequest(self.kind, at=date(day.year(), day.month(), day.day()))
        if asks == "month":
            return ReportRequest(self.kind, month=self.month_combo.currentData())
        return ReportRequest(self.kind, client_id=self.client_box.current_id())

    def _update(self) -> None:
        ready = self.spec.asks != "client" or self.client_box.current_id() is not None
        self.save_button.setEnabled(ready and not self.writing)

    # --- the file -----------------------------------------------------------------------

    def choose_file(self) -> None:
        if not self.save_button.isEnabled():
            return
        request = self.request()
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = self._file_name(request)
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.spec.title, str(Path(folder) / name), XLSX_FILTER
        )
        if chosen:
            self.export(
                request, Path(chosen if chosen.lower().endswith(".xlsx") else f"{chosen}.xlsx")
            )

    def _file_name(self, request: ReportRequest) -> str:
        if request.kind is ReportKind.INVENTORY and request.client_id is not None:
            choice = self.client_box.current_choice()
            code = choice.label.split(" — ")[0] if choice is not None else ""
            return f"inventaire-boites-{code}.xlsx" if code else request.file_name()
        return request.file_name()

    def export(self, request: ReportRequest, path: Path) -> None:
        """Make and write the report on the database thread; say so when done."""
        self.writing = True
        self._update()
        self.message.setText("Écriture du rapport…")
        self.notify(f"Écriture du rapport « {self.spec.title} »…")
        self.worker.submit(
            Job(
                work=lambda: save_report(self.db, request, path),
                on_done=lambda result: self._saved(*result),
                on_error=self._failed,
            )
        )

    def _saved(self, path: Path, count: int) -> None:
        self.notify(saved_text(path, count))
        if not self._alive:
            return
        self.writing = False
        self.saved = path
        self.accept()

    def _failed(self, error: Exception) -> None:
        text = (
            error.message
            if isinstance(error, UserError)
            else (f"Une erreur inattendue est survenue ; aucun fichier écrit. ({error})")
        )
        self.notify(text)
        if not self._alive:
            return
        self.writing = False
        self.message.setText(f'<span style="color:#c0392b">{escape(text)}</span>')
        self._update()

    def done(self, result: int) -> None:
        self._alive = False
        super().done(result)


def open_report(
    parent: QWidget,
    *,
    db: Database,
    worker: DbWorker,
    kind: ReportKind,
    client_id: int | None = None,
    notify: Callable[[str], None] | None = None,
) -> ReportDialog:
    """Show a report's dialog (not modal): a menu entry or a record's button."""
    dialog = ReportDialog(
        parent, db=db, worker=worker, kind=kind, client_id=client_id, notify=notify
    )
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def open_inventory(view: RecordView, client_id: int) -> ReportDialog:
    """The client record's « Inventaire des boîtes… »: the inventory of that client."""
    dialog = ReportDialog(
        view,
        db=view.db,
        worker=view.worker,
        kind=ReportKind.INVENTORY,
        client_id=client_id,
        notify=status_bar_notice(view),
    )
    view.open_dialog(dialog)
    return dialog
