"""« Facturation > Prélèvements SEPA… »: the debits due, then the pain.008 file.

The invoices to collect by direct debit on the chosen collection date are
listed (client, invoice, amount, mandate reference, FRST/RCUR), those that
cannot be (no usable mandate) apart with the reason. The date cannot be earlier
than the 14-day pre-notification allows. « Créer le fichier… » asks where to
save the file, then builds and records it in the background: the batch is
recorded only once the file is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from html import escape
from pathlib import Path

from PySide6.QtCore import QModelIndex, QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.cli import write_atomically
from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.errors import InvalidValue, ValidationError
from desktop.domain.sepa import earliest_collection_date
from desktop.errors import UserError
from desktop.services.sepa_export import (
    VERSIONS,
    DueDebit,
    SepaExport,
    due_debits,
    export_pain008,
    sepa_export_command_text,
)
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import GREY, RED, french_date, money, plural
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.progress import Cancelled, Progress, run_with_progress
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.widgets.date_field import DateField, read_date
from desktop.ui.widgets.menu_window import MenuWindow
from desktop.ui.widgets.run_summary import SummaryLabel, heading
from desktop.ui.widgets.validated_form import ErrorLabel

XML_FILTER = "Fichiers XML (*.xml)"


def _today() -> date:
    return paris_today()


def default_file_name(collection_date: date) -> str:
    """« prelevements-2026-01-20.xml »."""
    return f"prelevements-{collection_date:%Y-%m-%d}.xml"


def _sequence(debit: DueDebit) -> str:
    return "" if debit.sequence_type is None else debit.sequence_type.value


def _sequence_tip(debit: DueDebit) -> str:
    if debit.sequence_type is None:
        return ""
    first = debit.sequence_type.value == "FRST"
    return "Premier prélèvement du mandat" if first else "Prélèvement récurrent"


DUE_COLUMNS = (
    RowColumn("Client", lambda d: d.client_name, 260),
    RowColumn("Facture", lambda d: d.invoice_number, 130),
    RowColumn("Échéance", lambda d: french_date(d.due_on), 95),
    RowColumn("Montant", lambda d: money(d.amount), 100, right=True),
    RowColumn("RUM", lambda d: d.rum or "", 250),
    RowColumn("Séquence", _sequence, 80, tooltip=_sequence_tip),
)

SKIPPED_COLUMNS = (
    RowColumn("Client", lambda d: d.client_name, 260, colour=lambda _d: GREY),
    RowColumn("Facture", lambda d: d.invoice_number, 130, colour=lambda _d: GREY),
    RowColumn("Montant", lambda d: money(d.amount), 100, right=True, colour=lambda _d: GREY),
    RowColumn("Motif", lambda d: d.skip_reason or "", 420, colour=lambda _d: RED),
)


def _total(debits: Sequence[DueDebit]) -> Decimal:
    return sum((d.amount for d in debits), Decimal("0.00"))


def totals_text(ready: Sequence[DueDebit], skipped: Sequence[DueDebit]) -> str:
    """« 2 prélèvements : 150,00 € — 1 facture non prélevée : 120,00 € »."""
    if not ready and not skipped:
        return "Aucune facture à prélever à cette date."
    text = (
        f"{plural(len(ready), 'prélèvement', 'prélèvements')} : {money(_total(ready))}"
        if ready
        else "Aucun prélèvement à faire"
    )
    if skipped:
        text += (
            f" — {plural(len(skipped), 'facture non prélevée', 'factures non prélevées')} : "
            f"{money(_total(skipped))}"
        )
    return text


def export_summary(result: SepaExport, path: Path) -> str:
    """What the export did, in French (rich text)."""
    first, *others = sepa_export_command_text(result, str(path))
    return "<br>".join([f"<b>{escape(first)}</b>", *(escape(line) for line in others)])


class SepaExportDialog(MenuWindow):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        worker: DbWorker,
        actor: str,
        open_record: Callable[[RecordKind, int], None],
        refresh: Callable[[], None],
        today: Callable[[], date] | None = None,
    ) -> None:
        super().__init__(
            parent,
            title="Prélèvements SEPA",
            db=db,
            actor=actor,
            open_record=open_record,
            refresh=refresh,
        )
        self.worker = worker
        self.today = today if today is not None else _today
        self.debits: list[DueDebit] | None = None
        self.export_result: SepaExport | None = None
        self.running = False
        self._loads = 0

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Les factures émises payables par prélèvement et non réglées, à prélever à la date "
            "d'échéance choisie. Le débiteur doit être prévenu 14 jours avant : la date ne "
            "peut pas être plus proche. Le fichier est enregistré (remise envoyée) dès qu'il "
            "est écrit ; une facture déjà dans une remise n'est pas prélevée deux fois."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addSpacing(4)

        form = QGridLayout()
        form.setHorizontalSpacing(8)
        form.addWidget(QLabel("Date d'échéance"), 0, 0)
        self.date_field = DateField(earliest_collection_date(self.today()))
        self.date_field.textChanged.connect(self._date_changed)
        form.addWidget(self.date_field, 0, 1)
        form.addWidget(QLabel("Format"), 0, 2)
        self.format_combo = QComboBox()
        self.format_combo.addItems(list(VERSIONS))
        self.format_combo.setToolTip(
            "pain.008.001.02 : le format habituel des banques françaises ; "
            "pain.008.001.08 : la version récente (BIC facultatif)."
        )
        form.addWidget(self.format_combo, 0, 3)
        form.setColumnStretch(4, 1)
        self.date_error = ErrorLabel(self)
        form.addWidget(self.date_error, 1, 1, 1, 4)
        layout.addLayout(form)

        layout.addSpacing(6)
        layout.addWidget(heading("Prélèvements à faire"))
        self.due = RowsModel(DUE_COLUMNS, self)
        self.due_table = rows_table(self.due)
        self.due_table.doubleClicked.connect(lambda index: self._open(self.due, index))
        self.due_table.activated.connect(lambda index: self._open(self.due, index))
        layout.addWidget(self.due_table, 3)

        layout.addSpacing(6)
        layout.addWidget(heading("Non prélevées"))
        self.skipped = RowsModel(SKIPPED_COLUMNS, self)
        self.skipped_table = rows_table(self.skipped)
        self.skipped_table.doubleClicked.connect(lambda index: self._open(self.skipped, index))
        self.skipped_table.activated.connect(lambda index: self._open(self.skipped, index))
        layout.addWidget(self.skipped_table, 2)
        hint = QLabel("Double-cliquez sur une ligne pour ouvrir la fiche du client.")
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)

        self.totals = QLabel("Chargement…")
        self.totals.setWordWrap(True)
        font = self.totals.font()
        font.setBold(True)
        self.totals.setFont(font)
        layout.addWidget(self.totals)

        self.summary = SummaryLabel(self)
        self.summary.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.summary)

        buttons = QHBoxLayout()
        self.reload_button = QPushButton("Actualiser")
        self.reload_button.clicked.connect(self.load)
        self.export_button = QPushButton("Créer le fichier…")
        self.export_button.setDefault(False)
        self.export_button.setAutoDefault(False)
        self.export_button.clicked.connect(self.choose_file)
        box = QDialogButtonBox()
        self.close_button = box.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(box)
        layout.addLayout(buttons)
        self.resize(1000, 620)
        self._update_buttons()
        self.load()

    # --- the date -----------------------------------------------------------------------

    def collection_date(self) -> date | None:
        """The date typed when it is a valid collection date; else says why (under the field)."""
        try:
            value = read_date(self.date_field.text(), "Indiquez la date d'échéance.")
        except InvalidValue as exc:
            self.date_error.set_message(exc.message)
            return None
        assert value is not None
        earliest = earliest_collection_date(self.today())
        if value < earliest:
            self.date_error.set_message(
                "Le débiteur doit être prévenu 14 jours avant le prélèvement : "
                f"choisissez le {french_date(earliest)} ou après."
            )
            return None
        self.date_error.set_message("")
        return value

    def _date_changed(self) -> None:
        self.load()

    # --- the debits due -----------------------------------------------------------------

    def load(self) -> None:
        """The debits due on the date chosen (nothing is written)."""
        self.debits = None
        self._loads += 1
        ticket = self._loads
        on = self.collection_date()
        if on is None:
            self.due.set_rows([])
            self.skipped.set_rows([])
            self.totals.setText("Choisissez une date d'échéance valide.")
            self._update_buttons()
            return
        self.totals.setText("Chargement…")
        self._update_buttons()
        self.worker.submit(
            Job(
                work=lambda: due_debits(self.db, on),
                on_done=lambda debits: self._show_debits(ticket, debits),
                on_error=lambda error: self._load_failed(ticket, error),
                is_stale=lambda: not self._alive or ticket != self._loads,
            )
        )

    def _show_debits(self, ticket: int, debits: list[DueDebit]) -> None:
        if not self._alive or ticket != self._loads:
            return
        self.debits = debits
        ready = [d for d in debits if d.ready]
        skipped = [d for d in debits if not d.ready]
        self.due.set_rows(ready)
        self.skipped.set_rows(skipped)
        self.totals.setText(totals_text(ready, skipped))
        self._update_buttons()

    def _load_failed(self, ticket: int, error: Exception) -> None:
        if self._alive and ticket == self._loads:
            self.totals.setText(getattr(error, "message", str(error)))

    def _open(self, model: RowsModel, index: QModelIndex) -> None:
        if index.isValid():
            debit: DueDebit = model.row(index.row())
            self.open_record(RecordKind.CLIENT, debit.client_id)

    def _update_buttons(self) -> None:
        ready = self.debits is not None and any(d.ready for d in self.debits)
        self.export_button.setEnabled(ready and not self.running)
        self.reload_button.setEnabled(not self.running)
        self.date_field.setEnabled(not self.running)
        self.format_combo.setEnabled(not self.running)

    # --- the file -----------------------------------------------------------------------

    def choose_file(self) -> None:
        on = self.collection_date()
        if on is None or not self.export_button.isEnabled():
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = default_file_name(on)
        start = str(Path(folder) / name) if folder else name
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Enregistrer le fichier de prélèvements", start, XML_FILTER
        )
        if chosen:
            path = Path(chosen if chosen.lower().endswith(".xml") else f"{chosen}.xml")
            self.export(on, path)

    def export(self, on: date, path: Path) -> None:
        """Build, write to ``path`` and record the file, in the background."""
        version = self.format_combo.currentText()
        today = self.today()

        def work(progress: Progress) -> tuple[SepaExport, Path]:
            progress("Création du fichier de prélèvements…", 0, 0)
            result = export_pain008(
                self.db,
                collection_date=on,
                actor=self.actor,
                version=version,
                today=today,
                deliver=lambda xml: write_atomically(path, xml),
            )
            return result, path.expanduser().absolute()

        self.running = True
        self._update_buttons()
        self.progress = run_with_progress(
            self, "Prélèvements SEPA", work, self._show_result, self._export_failed
        )

    def _show_result(self, outcome: tuple[SepaExport, Path]) -> None:
        result, path = outcome
        self.running = False
        self.export_result = result
        self.summary.show_text(export_summary(result, path), error=False)
        self.load()
        self.refresh_window()

    def _export_failed(self, error: Exception) -> None:
        self.running = False
        if isinstance(error, Cancelled):
            text = "Création du fichier interrompue : rien n'a été enregistré."
        elif isinstance(error, ValidationError):
            text = " ".join(error.errors.values()) if error.errors else error.message
        elif isinstance(error, UserError):
            text = error.message
        else:
            text = f"Une erreur inattendue est survenue : {error}"
        self.summary.show_text(escape(text), error=True)
        self.load()
