"""« Facturation > Remises SEPA… »: the batches sent, then what the bank did with them.

The batches are listed latest first with how many debits are still awaited,
collected or rejected; the debits of the selected one below. « Remise
encaissée… » records a payment for each debit still awaited; « Rejet… »
records the rejection of the selected debit (the invoice is unpaid again and
the dunning sequence takes over); « Relevé camt.054… » reads the bank's
notification of returns, shows what it would record, then records it on
confirmation. « Enregistrer le fichier… » saves the batch's pain.008 again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import QModelIndex, QStandardPaths
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.cli import read_input_file, write_atomically
from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import DebitStatus
from desktop.domain.errors import InvalidValue, ValidationError
from desktop.errors import UserError
from desktop.services.sepa_batches import (
    BatchRow,
    DebitRow,
    ReturnsReport,
    batch_debits,
    import_returns,
    list_batches,
    returns_lines,
)
from desktop.services.sepa_export import batch_xml, mark_collected, record_rejection
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.dialogs.reason_dialog import ReasonDialog
from desktop.ui.formatting import GREEN, GREY, RED, french_date, french_datetime, money
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.widgets.date_field import DateField, read_date
from desktop.ui.widgets.menu_window import MenuWindow
from desktop.ui.widgets.run_summary import SummaryLabel, heading
from desktop.ui.widgets.validated_form import ErrorLabel

XML_FILTER = "Fichiers XML (*.xml)"
REJECTABLE = (DebitStatus.SENT, DebitStatus.COLLECTED)
STATUS_COLOURS = {
    DebitStatus.SENT: GREY,
    DebitStatus.COLLECTED: GREEN,
    DebitStatus.REJECTED: RED,
}

BATCH_COLUMNS = (
    RowColumn("Remise", lambda b: b.message_id, 230),
    RowColumn("Créée le", lambda b: french_datetime(b.created_at), 130),
    RowColumn("Échéance", lambda b: french_date(b.collection_date), 95),
    RowColumn("Prélèvements", lambda b: str(b.debit_count), 95, right=True),
    RowColumn("Montant", lambda b: money(b.total), 110, right=True),
    RowColumn("En attente", lambda b: str(b.sent), 80, right=True, bold=lambda b: b.sent > 0),
    RowColumn("Encaissés", lambda b: str(b.collected), 80, right=True),
    RowColumn(
        "Rejetés",
        lambda b: str(b.rejected),
        75,
        right=True,
        colour=lambda b: RED if b.rejected else None,
    ),
)


def _rejection(debit: DebitRow) -> str:
    if debit.rejected_at is None:
        return ""
    return f"{french_date(debit.rejected_at.date())} — {debit.reject_reason or ''}"


DEBIT_COLUMNS = (
    RowColumn("Client", lambda d: d.client_name, 200),
    RowColumn("Facture", lambda d: d.invoice_number, 125),
    RowColumn("Montant", lambda d: money(d.amount), 100, right=True),
    RowColumn("Séquence", lambda d: d.sequence_type.value, 75),
    RowColumn(
        "Statut",
        lambda d: d.status.label,
        90,
        colour=lambda d: STATUS_COLOURS.get(
            d.status, GREY if d.status is DebitStatus.SENT else None
        ),
    ),
    RowColumn("Rejet", _rejection, 260, colour=lambda _d: RED),
    RowColumn("Référence de bout en bout", lambda d: d.end_to_end_id, 240),
)


def collected_text(count: int, message_id: str) -> str:
    return (
        f"Remise {message_id} : {count} prélèvement(s) enregistré(s) comme payé(s)."
        if count
        else f"Remise {message_id} : aucun prélèvement en attente, rien n'a été enregistré."
    )


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.errors.values()) if error.errors else error.message
    if isinstance(error, UserError):
        return error.message
    return f"Une erreur inattendue est survenue ; rien n'a été enregistré. ({error})"


class CollectedDialog(QDialog):
    """Asks the date the bank collected a batch, then records the payments."""

    def __init__(
        self,
        parent: QWidget,
        worker: DbWorker,
        batch: BatchRow,
        submit: Callable[[date], int],
        today: date,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.submit = submit
        self.result_count: int | None = None
        self.setWindowTitle(f"Remise encaissée — {batch.message_id}")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{batch.sent} prélèvement(s) de la remise sont en attente. Indiquez la date à "
            "laquelle la banque les a crédités : un paiement par prélèvement est enregistré "
            "et les factures passent à « payée »."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.date = DateField(min(today, batch.collection_date))
        form.addRow("Date d'encaissement", self.date)
        layout.addLayout(form)
        self.error = ErrorLabel(self)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            "Enregistrer l'encaissement", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(
            self.reject
        )
        self.ok_button.clicked.connect(self.confirm)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def confirm(self) -> None:
        try:
            on = read_date(self.date.text(), "Indiquez la date d'encaissement.")
        except InvalidValue as exc:
            self.error.set_message(exc.message)
            return
        assert on is not None
        self.ok_button.setEnabled(False)
        self.worker.submit(
            Job(work=lambda: self.submit(on), on_done=self._done, on_error=self._failed)
        )

    def _done(self, count: int) -> None:
        self.result_count = count
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.ok_button.setEnabled(True)
        self.error.set_message(_message(error))


class SepaBatchesDialog(MenuWindow):
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
            title="Remises SEPA",
            db=db,
            actor=actor,
            open_record=open_record,
            refresh=refresh,
        )
        self.worker = worker
        self.today = today if today is not None else paris_today
        self.loading = False
        self.busy = False
        self.follow_up: QDialog | None = None
        self._debit_loads = 0

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Les fichiers de prélèvements envoyés à la banque. Quand le relevé bancaire montre "
            "le crédit d'une remise, enregistrez son encaissement ; un prélèvement rejeté "
            "(saisi ou lu dans le relevé camt.054 de la banque) rend la facture impayée et "
            "déclenche les relances."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(heading("Remises"))
        self.batches = RowsModel(BATCH_COLUMNS, self)
        self.batch_table = rows_table(self.batches)
        self.batch_table.selectionModel().currentRowChanged.connect(self._batch_changed)
        layout.addWidget(self.batch_table, 2)
        layout.addWidget(heading("Prélèvements de la remise"))
        self.debits = RowsModel(DEBIT_COLUMNS, self)
        self.debit_table = rows_table(self.debits)
        self.debit_table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.debit_table.doubleClicked.connect(self._open_invoice)
        self.debit_table.activated.connect(self._open_invoice)
        layout.addWidget(self.debit_table, 3)
        hint = QLabel("Double-cliquez sur un prélèvement pour ouvrir la facture.")
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)
        self.summary = SummaryLabel(self)
        self.summary.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.summary)

        row = QHBoxLayout()
        self.collected_button = QPushButton("Remise encaissée…")
        self.collected_button.clicked.connect(self.record_collected)
        self.reject_button = QPushButton("Rejet…")
        self.reject_button.setToolTip("Enregistrer le rejet du prélèvement sélectionné")
        self.reject_button.clicked.connect(self.record_rejection)
        self.import_button = QPushButton("Relevé camt.054…")
        self.import_button.setToolTip("Lire les rejets du relevé camt.054 envoyé par la banque")
        self.import_button.clicked.connect(self.choose_returns)
        self.save_button = QPushButton("Enregistrer le fichier…")
        self.save_button.setToolTip("Enregistrer à nouveau le fichier pain.008 de la remise")
        self.save_button.clicked.connect(self.save_file)
        box = QDialogButtonBox()
        self.close_button = box.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)
        for button in (
            self.collected_button,
            self.reject_button,
            self.import_button,
            self.save_button,
        ):
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(box)
        layout.addLayout(row)
        self.resize(1100, 680)
        self._update_buttons()
        self.load()

    # --- loading ------------------------------------------------------------------------

    def load(self) -> None:
        """The batches (keeping the one selected), then its debits."""
        keep = self.selected_batch()
        self.loading = True
        self._update_buttons()
        self.worker.submit(
            Job(
                work=lambda: list_batches(self.db),
                on_done=lambda rows: self._show_batches(rows, keep.id if keep else None),
                on_error=self._failed,
                is_stale=lambda: not self._alive,
            )
        )

    def _show_batches(self, rows: list[BatchRow], keep: int | None) -> None:
        if not self.alive:
            return
        self.batches.set_rows(rows)
        position = next((i for i, b in enumerate(rows) if b.id == keep), 0)
        if rows:
            self.batch_table.selectRow(position)
        else:
            self.debits.set_rows([])
            self.summary.show_text("Aucune remise envoyée pour l'instant.", error=False)
        self.loading = bool(rows)  # the debits are loading
        if not rows:
            self._update_buttons()

    def _batch_changed(self, *_args: object) -> None:
        batch = self.selected_batch()
        if batch is None:
            return
        self._debit_loads += 1
        ticket = self._debit_loads
        self.loading = True
        self.worker.submit(
            Job(
                work=lambda: batch_debits(self.db, batch.id),
                on_done=lambda rows: self._show_debits(ticket, rows),
                on_error=self._failed,
                is_stale=lambda: not self._alive or ticket != self._debit_loads,
            )
        )

    def _show_debits(self, ticket: int, rows: list[DebitRow]) -> None:
        if not self.alive or ticket != self._debit_loads:
            return
        self.debits.set_rows(rows)
        self.loading = False
        self._update_buttons()

    def _failed(self, error: Exception) -> None:
        if not self.alive:
            return
        self.loading = self.busy = False
        self.summary.show_text(escape(_message(error)), error=True)
        self._update_buttons()

    def selected_batch(self) -> BatchRow | None:
        index = self.batch_table.currentIndex()
        return self.batches.row(index.row()) if index.isValid() else None

    def selected_debit(self) -> DebitRow | None:
        index = self.debit_table.currentIndex()
        return self.debits.row(index.row()) if index.isValid() else None

    def _update_buttons(self, *_args: object) -> None:
        batch, debit = self.selected_batch(), self.selected_debit()
        idle = not self.busy
        self.collected_button.setEnabled(idle and batch is not None and batch.sent > 0)
        self.reject_button.setEnabled(idle and debit is not None and debit.status in REJECTABLE)
        self.save_button.setEnabled(idle and batch is not None)
        self.import_button.setEnabled(idle)

    def _open_invoice(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_record(RecordKind.INVOICE, self.debits.row(index.row()).invoice_id)

    def _changed(self, text: str) -> None:
        self.refresh_window()
        if not self.alive:
            return
        self.busy = False
        self.summary.show_text(text, error=False)
        self.load()

    # --- collected, rejected ------------------------------------------------------------

    def record_collected(self) -> CollectedDialog | None:
        batch = self.selected_batch()
        if batch is None or not self.collected_button.isEnabled():
            return None
        dialog = CollectedDialog(
            self,
            self.worker,
            batch,
            lambda on: mark_collected(self.db, batch.id, collected_on=on, actor=self.actor),
            self.today(),
        )
        dialog.accepted.connect(
            lambda: self._changed(
                escape(collected_text(dialog.result_count or 0, batch.message_id))
            )
        )
        self._show_follow_up(dialog)
        return dialog

    def record_rejection(self) -> ReasonDialog | None:
        debit = self.selected_debit()
        if debit is None or not self.reject_button.isEnabled():
            return None
        dialog = ReasonDialog(
            self,
            self.worker,
            title=f"Rejet du prélèvement — {debit.invoice_number}",
            action="Enregistrer le rejet",
            intro=(
                f"Prélèvement de {money(debit.amount)} sur la facture {debit.invoice_number} "
                f"({debit.client_name}). La facture redevient impayée et les relances "
                "reprennent à partir de son échéance."
            ),
            date_label="Date du rejet",
            on=self.today(),
            date_key="rejected_on",
            reason_hint="Code et libellé de la banque, par exemple AM04 – provision insuffisante",
            submit=lambda typed: record_rejection(
                self.db,
                debit.id,
                rejected_on=typed.on,  # type: ignore[arg-type]
                reason=typed.reason,
                actor=self.actor,
            ),
        )
        dialog.completed.connect(
            lambda result: self._changed(
                escape(
                    f"Rejet enregistré : {result.invoice_number} est "
                    f"{result.invoice_status.label.lower()}, reste dû {money(result.balance)}."
                )
            )
        )
        self._show_follow_up(dialog)
        return dialog

    def _show_follow_up(self, dialog: QDialog) -> None:
        self.follow_up = dialog
        dialog.finished.connect(lambda _r: setattr(self, "follow_up", None))
        dialog.open()

    # --- the bank's notification --------------------------------------------------------

    def choose_returns(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Relevé camt.054 de la banque", folder, f"{XML_FILTER};;Tous les fichiers (*)"
        )
        if chosen:
            self.read_returns(Path(chosen))

    def read_returns(self, path: Path) -> None:
        """Preview what the notification would record, then ask to record it."""
        self.busy = True
        self._update_buttons()

        def preview() -> tuple[bytes, ReturnsReport]:
            data = read_input_file(path)
            return data, import_returns(self.db, data, actor=self.actor, apply=False)

        self.worker.submit(Job(work=preview, on_done=self._confirm_returns, on_error=self._failed))

    def _confirm_returns(self, outcome: tuple[bytes, ReturnsReport]) -> None:
        data, report = outcome
        lines = returns_lines(report, applied=False)
        if not report.recorded:
            self.busy = False
            self._update_buttons()
            self.summary.show_text("<br>".join(escape(line) for line in lines), error=False)
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Relevé camt.054",
            f"Enregistrer {len(report.recorded)} rejet(s) lu(s) dans le relevé ?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setInformativeText("\n".join(lines))
        record = box.addButton("Enregistrer les rejets", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
        self.follow_up = box
        box.finished.connect(lambda _r: self._returns_answered(data, box.clickedButton() is record))
        box.open()

    def _returns_answered(self, data: bytes, confirmed: bool) -> None:
        self.follow_up = None
        if not confirmed:
            self.busy = False
            self._update_buttons()
            self.summary.show_text("Relevé non enregistré : rien n'a changé.", error=False)
            return
        self.worker.submit(
            Job(
                work=lambda: import_returns(self.db, data, actor=self.actor),
                on_done=lambda report: self._changed(
                    "<br>".join(escape(line) for line in returns_lines(report, applied=True))
                ),
                on_error=self._failed,
            )
        )

    # --- the file again -----------------------------------------------------------------

    def save_file(self) -> None:
        batch = self.selected_batch()
        if batch is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"{batch.message_id}.xml"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Enregistrer le fichier de la remise", str(Path(folder) / name), XML_FILTER
        )
        if chosen:
            self.write_file(batch, Path(chosen))

    def write_file(self, batch: BatchRow, path: Path) -> None:
        def work() -> Path:
            return write_atomically(path, batch_xml(self.db, batch.id))

        self.worker.submit(
            Job(
                work=work,
                on_done=lambda target: self.summary.show_text(
                    escape(f"Fichier de la remise enregistré : {target}"), error=False
                ),
                on_error=self._failed,
            )
        )
